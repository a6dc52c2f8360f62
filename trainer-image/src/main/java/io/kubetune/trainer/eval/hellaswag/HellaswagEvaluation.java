package io.kubetune.trainer.eval.hellaswag;

import io.kubetune.trainer.eval.LogLikelihoodModel;
import io.kubetune.trainer.eval.TokenEncoder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * One hellaswag run, from a data file to a report: read (malformed items are reported and skipped;
 * mostly malformed data fails the run), take the first {@code limit} items, score, time.
 */
public final class HellaswagEvaluation {

    private final TokenEncoder encoder;
    private final LogLikelihoodModel model;
    private final int batchSize;

    /**
     * @param encoder the model's tokenizer, default special tokens on
     * @param model the model, with its adapter applied if any
     * @param batchSize items per forward batch
     */
    public HellaswagEvaluation(TokenEncoder encoder, LogLikelihoodModel model, int batchSize) {
        this.encoder = encoder;
        this.model = model;
        this.batchSize = batchSize;
    }

    /**
     * Runs the task.
     *
     * @param data {@code hellaswag_val.jsonl} or a {@code Rowan/hellaswag} validation Parquet file
     * @param limit score only the first {@code limit} items of the file; null for all
     * @param modelName the model's name for the result
     * @param adapterName the adapter's name for the result; null if none
     * @return the result, per-item results and skipped items
     * @throws IOException if the file cannot be read
     * @throws HellaswagDataException if the data is empty or mostly malformed
     */
    public HellaswagReport run(Path data, Integer limit, String modelName, String adapterName)
            throws IOException {
        long start = System.nanoTime();
        HellaswagDataset dataset = HellaswagReader.read(data);
        if (limit != null) {
            dataset = dataset.limit(limit);
        }
        dataset.requireMostlyValid();
        report(dataset);
        HellaswagScores scores =
                new HellaswagScorer(encoder, model, batchSize).score(dataset.items());
        double seconds = (System.nanoTime() - start) / 1e9;
        return new HellaswagReport(
                HellaswagResult.of(scores, modelName, adapterName, seconds),
                scores.items(),
                dataset.malformed());
    }

    /** One line each: the items skipped (stdout) and the labels scored as wrong (stderr). */
    private static void report(HellaswagDataset dataset) {
        if (!dataset.malformed().isEmpty()) {
            System.out.println(
                    "hellaswag: skipped "
                            + dataset.malformed().size()
                            + " of "
                            + dataset.total()
                            + " items of "
                            + dataset.source()
                            + " that cannot be scored (listed in "
                            + HellaswagReport.MALFORMED_FILE
                            + "; first: "
                            + dataset.malformed().get(0)
                            + ")");
        }
        List<HellaswagItem> outOfRange = dataset.outOfRangeLabels();
        if (!outOfRange.isEmpty()) {
            System.err.println(
                    "warning: "
                            + dataset.source()
                            + ": "
                            + outOfRange.size()
                            + " item(s) have a label past the 4 endings (first: item "
                            + outOfRange.get(0).index()
                            + ", label "
                            + outOfRange.get(0).label()
                            + "); they are scored as wrong, as lm-eval scores them");
        }
    }
}
