package io.kubetune.trainer.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kubetune.trainer.data.rows.ParquetRows;
import io.kubetune.trainer.data.rows.RowSink;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Reads the records of a local data file: JSON Lines, a JSON array, CSV with a header row, or
 * Parquet. A line that cannot be parsed becomes a {@link DataProblem}; reading goes on.
 */
public final class RecordReader {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<LinkedHashMap<String, Object>> MAP =
            new TypeReference<>() {};

    /** The records read, and the lines that were not records. */
    public record Result(List<RawRecord> records, List<DataProblem> problems) {}

    private RecordReader() {}

    public static Result read(Path file) throws IOException {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".jsonl") || name.endsWith(".ndjson")) {
            return readJsonLines(file);
        }
        if (name.endsWith(".json")) {
            return looksLikeJsonLines(file) ? readJsonLines(file) : readJsonArray(file);
        }
        if (name.endsWith(".csv")) {
            return readCsv(file);
        }
        if (name.endsWith(".parquet")) {
            return readParquet(file);
        }
        throw new IllegalArgumentException(
                "cannot read "
                        + file
                        + ": use a .jsonl, .json, .csv or .parquet file (the extension decides"
                        + " how it is read)");
    }

    private static Result readJsonLines(Path file) throws IOException {
        List<RawRecord> records = new ArrayList<>();
        List<DataProblem> problems = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            long number = 0;
            while ((line = in.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                try {
                    records.add(new RawRecord(number, JSON.readValue(line, MAP)));
                } catch (JsonProcessingException e) {
                    problems.add(
                            new DataProblem(
                                    file.toString(),
                                    number,
                                    e.getLocation() == null // the parser's message quotes the line
                                            ? "not a JSON object"
                                            : "not a JSON object (column "
                                                    + e.getLocation().getColumnNr()
                                                    + ")"));
                }
            }
        }
        return new Result(records, problems);
    }

    private static Result readJsonArray(Path file) throws IOException {
        JsonNode root = JSON.readTree(file.toFile());
        if (!root.isArray()) {
            throw new IllegalArgumentException(
                    file
                            + " is a JSON "
                            + root.getNodeType()
                            + ": expected an array of records or JSON Lines");
        }
        List<RawRecord> records = new ArrayList<>();
        List<DataProblem> problems = new ArrayList<>();
        for (int i = 0; i < root.size(); i++) {
            JsonNode element = root.get(i);
            if (element.isObject()) {
                records.add(new RawRecord(i + 1, JSON.convertValue(element, MAP)));
            } else {
                problems.add(
                        new DataProblem(
                                file.toString(),
                                i + 1,
                                "element is " + element.getNodeType() + ", not an object"));
            }
        }
        return new Result(records, problems);
    }

    private static Result readCsv(Path file) throws IOException {
        List<RawRecord> records = new ArrayList<>();
        CSVFormat format = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8);
                CSVParser parser = CSVParser.parse(in, format)) {
            for (CSVRecord row : parser) {
                Map<String, Object> fields = new LinkedHashMap<>(row.toMap());
                records.add(new RawRecord(parser.getCurrentLineNumber(), fields));
            }
        }
        return new Result(records, List.of());
    }

    private static Result readParquet(Path file) throws IOException {
        List<RawRecord> records = new ArrayList<>();
        List<DataProblem> problems = new ArrayList<>();
        ParquetRows.read(
                file,
                new RowSink() {
                    @Override
                    public void row(int index, Map<String, Object> row) {
                        records.add(new RawRecord(index + 1, row));
                    }

                    @Override
                    public void unreadable(int index, String reason) {
                        problems.add(new DataProblem(file.toString(), index + 1, reason));
                    }
                });
        return new Result(records, problems);
    }

    /** A .json file whose first non-blank character opens an object holds JSON Lines. */
    private static boolean looksLikeJsonLines(Path file) throws IOException {
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int c;
            while ((c = in.read()) != -1) {
                if (!Character.isWhitespace(c)) {
                    return c == '{';
                }
            }
        }
        return false;
    }
}
