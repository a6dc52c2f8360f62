package io.kubetune.trainer.data;

import io.kubetune.api.v1alpha1.DatasetSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a dataset's file and parses every record into a {@link Sample}. Bad records are reported by
 * line and skipped; a file where most records are bad fails before any training starts.
 */
public final class DatasetLoader {
    private static final int PROBLEMS_SHOWN = 5;

    /** The samples, and the records that were skipped with the reason. */
    public record Loaded(List<Sample> samples, List<DataProblem> problems) {}

    private DatasetLoader() {}

    public static Loaded load(DatasetSpec spec, Path file) throws IOException {
        SampleParser parser = SampleParser.of(spec);
        RecordReader.Result read = RecordReader.read(file);
        List<Sample> samples = new ArrayList<>(read.records().size());
        List<DataProblem> problems = new ArrayList<>(read.problems());
        for (RawRecord record : read.records()) {
            if (spec.maxSamples != null && samples.size() >= spec.maxSamples) {
                break;
            }
            try {
                samples.add(parser.parse(record.fields()));
            } catch (MalformedRecordException e) {
                problems.add(new DataProblem(file.toString(), record.line(), e.getMessage()));
            }
        }
        int total = samples.size() + problems.size();
        if (total == 0) {
            throw new IllegalArgumentException(file + " holds no records");
        }
        if (problems.size() * 2 > total) {
            throw new IllegalArgumentException(
                    problems.size()
                            + " of "
                            + total
                            + " records in "
                            + file
                            + " are not valid "
                            + spec.format.name().toLowerCase()
                            + " records; is the format (or the column mapping) right? First problems:\n  "
                            + String.join(
                                    "\n  ",
                                    problems.stream()
                                            .limit(PROBLEMS_SHOWN)
                                            .map(DataProblem::toString)
                                            .toList()));
        }
        if (!problems.isEmpty()) { // one line for the lot: a log line each would drown the run
            System.out.println(
                    file
                            + ": skipped "
                            + problems.size()
                            + " of "
                            + total
                            + " records (first: line "
                            + problems.get(0).line()
                            + ": "
                            + problems.get(0).message()
                            + ")");
        }
        return new Loaded(samples, problems);
    }
}
