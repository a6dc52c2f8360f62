package io.kubetune.trainer.eval.hellaswag;

import io.kubetune.trainer.data.rows.JsonlRows;
import io.kubetune.trainer.data.rows.ParquetRows;
import io.kubetune.trainer.data.rows.RowSink;
import io.kubetune.trainer.eval.hellaswag.HellaswagItemParser.MalformedItemException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Reads hellaswag items from a local file in either canonical layout: rowanz {@code
 * hellaswag_val.jsonl} (one JSON object a line) or a Hugging Face {@code Rowan/hellaswag} Parquet
 * file. Malformed items are collected with their index, not fatal; see {@link
 * HellaswagDataset#requireMostlyValid()}.
 */
public final class HellaswagReader {

    private static final byte[] PARQUET_MAGIC = "PAR1".getBytes(StandardCharsets.US_ASCII);

    private HellaswagReader() {}

    /**
     * Reads a file, choosing the layout by its content (Parquet files start with {@code PAR1}).
     *
     * @throws IOException if the file cannot be read at all
     * @throws HellaswagDataException if it is not a file, or a Parquet file that cannot be decoded
     */
    public static HellaswagDataset read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new HellaswagDataException(
                    "hellaswag data "
                            + file
                            + " is not a file; give the path of hellaswag_val.jsonl or of a"
                            + " Rowan/hellaswag validation Parquet file");
        }
        Collector collector = new Collector(file.toString());
        if (isParquet(file)) {
            try {
                ParquetRows.read(file, collector);
            } catch (IOException | RuntimeException e) {
                throw new HellaswagDataException(
                        file + " starts like a Parquet file but cannot be read: " + e.getMessage(),
                        e);
            }
        } else {
            JsonlRows.read(file, collector);
        }
        return collector.dataset();
    }

    private static boolean isParquet(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return Arrays.equals(in.readNBytes(PARQUET_MAGIC.length), PARQUET_MAGIC);
        }
    }

    /** Gathers parsed items and problems in file order. */
    private static final class Collector implements RowSink {
        private final String source;
        private final List<HellaswagItem> items = new ArrayList<>();
        private final List<MalformedItem> malformed = new ArrayList<>();

        Collector(String source) {
            this.source = source;
        }

        @Override
        public void row(int index, Map<String, Object> row) {
            try {
                items.add(HellaswagItemParser.parse(index, row));
            } catch (MalformedItemException e) {
                malformed.add(new MalformedItem(index, e.getMessage()));
            }
        }

        @Override
        public void unreadable(int index, String reason) {
            malformed.add(new MalformedItem(index, reason));
        }

        HellaswagDataset dataset() {
            return new HellaswagDataset(source, items, malformed);
        }
    }
}
