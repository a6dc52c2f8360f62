package io.kubetune.trainer.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.kubetune.trainer.model.ModelInput;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.model.io.HfConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link PretrainedModel} scoring continuations as lm-eval's Hugging Face model does: each
 * context + continuation (without its last token) is one row of a right-padded batch with no
 * attention mask (causal attention keeps real positions off the padding), the logits at the
 * continuation's positions go through log-softmax in float32, and the continuation tokens'
 * log-probabilities are summed.
 *
 * <p>Every row runs its whole context; reading a shared context once needs a KV cache that can be
 * copied across the batch, which {@code KvCache} does not offer yet.
 */
public final class PretrainedModelLogLikelihood implements LogLikelihoodModel {

    // lm-eval's HFLM reads the window from these config keys, in this order.
    private static final String[] WINDOW_KEYS = {"n_positions", "max_position_embeddings", "n_ctx"};
    private static final int DEFAULT_MAX_LENGTH = 2048;

    private final PretrainedModel model;
    private final int maxLength;

    /**
     * @param model the model, with its adapter merged or applied
     * @param maxLength the window; see {@link #lmEvalMaxLength}
     */
    public PretrainedModelLogLikelihood(PretrainedModel model, int maxLength) {
        this.model = model;
        this.maxLength = maxLength;
    }

    /** Scores with the window lm-eval would use for this model. */
    public PretrainedModelLogLikelihood(PretrainedModel model) {
        this(model, lmEvalMaxLength(model.config()));
    }

    /**
     * lm-eval's {@code max_length}: {@code n_positions}, {@code max_position_embeddings} or {@code
     * n_ctx} of the config (of its {@code text_config} first), else 2048.
     */
    public static int lmEvalMaxLength(HfConfig config) {
        HfConfig text = config.optObject("text_config").orElse(config);
        for (String key : WINDOW_KEYS) {
            if (text.has(key) && text.optRaw(key).map(e -> !e.isJsonNull()).orElse(false)) {
                return text.getInt(key);
            }
        }
        return DEFAULT_MAX_LENGTH;
    }

    @Override
    public int maxLength() {
        return maxLength;
    }

    @Override
    public List<List<ContinuationScore>> score(List<ScoringGroup> batch) {
        List<int[]> contexts = new ArrayList<>();
        List<int[]> continuations = new ArrayList<>();
        for (ScoringGroup group : batch) {
            for (int[] continuation : group.continuations()) {
                contexts.add(group.context());
                continuations.add(continuation);
            }
        }
        double[][] scored = scoreRows(contexts, continuations);
        List<List<ContinuationScore>> out = new ArrayList<>(batch.size());
        int row = 0;
        for (ScoringGroup group : batch) {
            List<ContinuationScore> scores = new ArrayList<>();
            for (int k = 0; k < group.continuations().size(); k++, row++) {
                scores.add(new ContinuationScore(scored[row][0], scored[row][1] == 1));
            }
            out.add(scores);
        }
        return out;
    }

    // Per row: {sum of log-probabilities, 1 if greedy else 0}.
    private double[][] scoreRows(List<int[]> contexts, List<int[]> continuations) {
        Rows rows = Rows.of(contexts, continuations);
        float[] logProbs;
        long[] argmax;
        ParameterStore ps = model.parameterStore();
        try (NDManager step = model.manager().newSubManager()) {
            NDArray input = step.create(rows.ids, new Shape(rows.count, rows.width));
            NDArray logits = model.block().logits(ps, ModelInput.of(input), false);
            long vocab = logits.getShape().get(2);
            // Only the scored positions go through log-softmax, not the whole [rows, width, vocab].
            NDArray picked =
                    logits.reshape((long) rows.count * rows.width, vocab)
                            .get(step.create(rows.positions))
                            .toType(DataType.FLOAT32, false)
                            .logSoftmax(1);
            logProbs = picked.gather(step.create(rows.targets).reshape(-1, 1), 1).toFloatArray();
            argmax = picked.argMax(1).toType(DataType.INT64, false).toLongArray();
        }
        double[][] out = new double[rows.count][2];
        int p = 0;
        for (int r = 0; r < rows.count; r++) {
            double sum = 0;
            boolean greedy = true;
            for (int j = 0; j < continuations.get(r).length; j++, p++) {
                sum += logProbs[p];
                greedy &= argmax[p] == rows.targets[p];
            }
            out[r][0] = sum;
            out[r][1] = greedy ? 1 : 0;
        }
        return out;
    }

    /**
     * A right-padded batch: row {@code r} is context + continuation without its last token; the
     * scored positions (flat indices into {@code [count * width]}) and their target tokens.
     */
    private record Rows(int count, int width, long[] ids, long[] positions, long[] targets) {

        static Rows of(List<int[]> contexts, List<int[]> continuations) {
            int count = contexts.size();
            int width = 0;
            int scored = 0;
            for (int r = 0; r < count; r++) {
                width = Math.max(width, contexts.get(r).length + continuations.get(r).length - 1);
                scored += continuations.get(r).length;
            }
            long[] ids = new long[count * width]; // padded with 0, as lm-eval pads
            long[] positions = new long[scored];
            long[] targets = new long[scored];
            int p = 0;
            for (int r = 0; r < count; r++) {
                int[] context = contexts.get(r);
                int[] continuation = continuations.get(r);
                for (int i = 0; i < context.length; i++) {
                    ids[r * width + i] = context[i];
                }
                for (int j = 0; j < continuation.length; j++) {
                    if (j + 1 < continuation.length) {
                        ids[r * width + context.length + j] = continuation[j];
                    }
                    positions[p] = (long) r * width + context.length - 1 + j;
                    targets[p++] = continuation[j];
                }
            }
            return new Rows(count, width, ids, positions, targets);
        }
    }
}
