package io.kubetune.trainer.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.kubetune.trainer.model.KvCache;
import io.kubetune.trainer.model.ModelInput;
import io.kubetune.trainer.model.ModelOutput;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.model.io.HfConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A {@link PretrainedModel} scoring continuations as lm-eval's Hugging Face model does: each
 * context + continuation (without its last token) is one row of a right-padded batch with no
 * attention mask (causal attention keeps real positions off the padding), the logits at the
 * continuation's positions go through log-softmax in float32, and the continuation tokens'
 * log-probabilities are summed.
 *
 * <p>A group of several continuations runs its context (all but the last token, which each row
 * still needs as input to its first scored position) once into a {@link KvCache}: the batch's
 * contexts go right-padded through one pass, the cache is copied to one row per continuation, and
 * only the rest of each row runs on top of it, masked to its own context and positioned after it.
 * This is the same computation as running each row whole, so scores agree with the uncached path to
 * float rounding (a hellaswag item reads its context once instead of four times).
 */
public final class PretrainedModelLogLikelihood implements LogLikelihoodModel {

    // lm-eval's HFLM reads the window from these config keys, in this order.
    private static final String[] WINDOW_KEYS = {"n_positions", "max_position_embeddings", "n_ctx"};
    private static final int DEFAULT_MAX_LENGTH = 2048;

    private final PretrainedModel model;
    private final int maxLength;
    private final boolean shareContext;

    /**
     * @param model the model, with its adapter merged or applied
     * @param maxLength the window; see {@link #lmEvalMaxLength}
     * @param shareContext whether a group's context is run once and its KV cache reused (else every
     *     row runs its whole context, as lm-eval does)
     */
    public PretrainedModelLogLikelihood(
            PretrainedModel model, int maxLength, boolean shareContext) {
        this.model = model;
        this.maxLength = maxLength;
        this.shareContext = shareContext;
    }

    /** Scores with the given window, each group's context run once. */
    public PretrainedModelLogLikelihood(PretrainedModel model, int maxLength) {
        this(model, maxLength, true);
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
        double[][][] scored = new double[batch.size()][][];
        List<Integer> whole = new ArrayList<>();
        List<Integer> sharing = new ArrayList<>();
        for (int g = 0; g < batch.size(); g++) {
            ScoringGroup group = batch.get(g);
            boolean worthIt = group.continuations().size() > 1 && group.context().length > 1;
            (shareContext && worthIt ? sharing : whole).add(g);
        }
        scoreWhole(batch, whole, scored);
        scoreSharingContexts(batch, sharing, scored);
        List<List<ContinuationScore>> out = new ArrayList<>(batch.size());
        for (double[][] group : scored) {
            List<ContinuationScore> scores = new ArrayList<>(group.length);
            for (double[] row : group) {
                scores.add(new ContinuationScore(row[0], row[1] == 1));
            }
            out.add(scores);
        }
        return out;
    }

    // The given groups in one batch, every row running its whole context.
    private void scoreWhole(List<ScoringGroup> batch, List<Integer> groups, double[][][] scored) {
        if (groups.isEmpty()) {
            return;
        }
        List<int[]> contexts = new ArrayList<>();
        List<int[]> continuations = new ArrayList<>();
        for (int g : groups) {
            for (int[] continuation : batch.get(g).continuations()) {
                contexts.add(batch.get(g).context());
                continuations.add(continuation);
            }
        }
        double[][] scores;
        try (NDManager step = model.manager().newSubManager()) {
            ScoringRows rows = ScoringRows.of(contexts, continuations, false);
            NDArray input = step.create(rows.ids(), new Shape(rows.count(), rows.width()));
            scores = scoreRows(step, rows, continuations, ModelInput.of(input));
        }
        int row = 0;
        for (int g : groups) {
            int count = batch.get(g).continuations().size();
            scored[g] = Arrays.copyOfRange(scores, row, row + count);
            row += count;
        }
    }

    // Runs the groups' contexts but their last tokens once, then every continuation on a copy.
    private void scoreSharingContexts(
            List<ScoringGroup> batch, List<Integer> groups, double[][][] scored) {
        if (groups.isEmpty()) {
            return;
        }
        List<int[]> contexts = new ArrayList<>();
        List<int[]> continuations = new ArrayList<>();
        List<Long> sources = new ArrayList<>();
        for (int i = 0; i < groups.size(); i++) {
            ScoringGroup group = batch.get(groups.get(i));
            for (int[] continuation : group.continuations()) {
                contexts.add(group.context());
                continuations.add(continuation);
                sources.add((long) i);
            }
        }
        Prefixes prefixes = Prefixes.of(groups.stream().map(g -> batch.get(g).context()).toList());
        ScoringRows rows = ScoringRows.of(contexts, continuations, true);
        double[][] out;
        try (NDManager step = model.manager().newSubManager();
                KvCache cache = new KvCache(step, model.block().numLayers())) {
            NDArray ids = step.create(prefixes.ids, new Shape(groups.size(), prefixes.width));
            // forward() fills the cache; the LM head is never applied to the contexts.
            model.block()
                    .forward(model.parameterStore(), ModelInput.of(ids).withCache(cache), false);
            long[] picked = sources.stream().mapToLong(Long::longValue).toArray();
            try (KvCache copies = cache.selectRows(step, picked)) {
                out = scoreAfterCache(step, rows, continuations, copies, prefixes.width);
            }
        }
        int row = 0;
        for (int g : groups) {
            int count = batch.get(g).continuations().size();
            scored[g] = Arrays.copyOfRange(out, row, row + count);
            row += count;
        }
    }

    // Per row: {sum of log-probabilities, 1 if greedy else 0}.
    // Rows after a right-padded cache of cachedWidth positions: each sees its own context only.
    private double[][] scoreAfterCache(
            NDManager step,
            ScoringRows rows,
            List<int[]> continuations,
            KvCache cache,
            int cachedWidth) {
        NDArray input = step.create(rows.ids(), new Shape(rows.count(), rows.width()));
        long[] mask = new long[rows.count() * (cachedWidth + rows.width())];
        long[] positions = new long[rows.count() * rows.width()];
        for (int r = 0; r < rows.count(); r++) {
            int cached = rows.skipped()[r];
            int from = r * (cachedWidth + rows.width());
            Arrays.fill(mask, from, from + cached, 1);
            Arrays.fill(mask, from + cachedWidth, from + cachedWidth + rows.lengths()[r], 1);
            for (int j = 0; j < rows.width(); j++) {
                positions[r * rows.width() + j] = cached + j;
            }
        }
        ModelInput modelInput =
                ModelInput.of(input)
                        .withCache(cache)
                        .withAttentionMask(
                                step.create(
                                        mask, new Shape(rows.count(), cachedWidth + rows.width())))
                        .withPositionIds(
                                step.create(positions, new Shape(rows.count(), rows.width())));
        return scoreRows(step, rows, continuations, modelInput);
    }

    private double[][] scoreRows(
            NDManager step, ScoringRows rows, List<int[]> continuations, ModelInput modelInput) {
        ModelOutput output = model.block().forward(model.parameterStore(), modelInput, false);
        NDArray hidden = output.hidden();
        // Only the scored positions go through the LM head, not the whole [rows, width, vocab].
        NDArray scored =
                hidden.reshape((long) rows.count() * rows.width(), hidden.getShape().get(2))
                        .get(step.create(rows.positions()));
        NDArray picked = output.logitsOf(scored).toType(DataType.FLOAT32, false).logSoftmax(1);
        float[] logProbs =
                picked.gather(step.create(rows.targets()).reshape(-1, 1), 1).toFloatArray();
        boolean[] greedy = greedyPositions(step, picked, logProbs, rows.targets());
        double[][] out = new double[rows.count()][2];
        int p = 0;
        for (int r = 0; r < rows.count(); r++) {
            double sum = 0;
            boolean allGreedy = true;
            for (int j = 0; j < continuations.get(r).length; j++, p++) {
                sum += logProbs[p];
                allGreedy &= greedy[p];
            }
            out[r][0] = sum;
            out[r][1] = allGreedy ? 1 : 0;
        }
        return out;
    }

    /**
     * Per scored position, whether lm-eval's {@code argmax(log_softmax) == target} holds. argmax
     * over the whole vocabulary costs about twice a max (libtorch, CPU), and only a position whose
     * target reaches the row's max can be greedy, so argmax runs on those rows alone (it still
     * decides ties: argmax takes the first maximal index, as lm-eval's does).
     */
    private static boolean[] greedyPositions(
            NDManager step, NDArray logProbs, float[] targetLogProbs, long[] targets) {
        float[] maxima = logProbs.max(new int[] {1}).toFloatArray();
        int candidates = 0;
        for (int p = 0; p < maxima.length; p++) {
            if (targetLogProbs[p] == maxima[p]) {
                candidates++;
            }
        }
        boolean[] greedy = new boolean[maxima.length];
        if (candidates == 0) {
            return greedy;
        }
        long[] rows = new long[candidates];
        for (int p = 0, c = 0; p < maxima.length; p++) {
            if (targetLogProbs[p] == maxima[p]) {
                rows[c++] = p;
            }
        }
        long[] argmax =
                logProbs.get(step.create(rows))
                        .argMax(1)
                        .toType(DataType.INT64, false)
                        .toLongArray();
        for (int c = 0; c < candidates; c++) {
            greedy[(int) rows[c]] = argmax[c] == targets[(int) rows[c]];
        }
        return greedy;
    }

    /** The contexts but their last tokens, right-padded: what the cache is filled with. */
    private record Prefixes(int width, long[] ids) {

        static Prefixes of(List<int[]> contexts) {
            int width = contexts.stream().mapToInt(c -> c.length - 1).max().orElse(0);
            long[] ids = new long[contexts.size() * width];
            for (int r = 0; r < contexts.size(); r++) {
                int[] context = contexts.get(r);
                for (int i = 0; i + 1 < context.length; i++) {
                    ids[r * width + i] = context[i];
                }
            }
            return new Prefixes(width, ids);
        }
    }
}
