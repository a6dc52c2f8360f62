package io.kubetune.trainer.train.stage.ppo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import io.kubetune.trainer.generate.BatchGenerator;
import io.kubetune.trainer.generate.Completions;
import io.kubetune.trainer.generate.GenerationConfig;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.model.ValueHead;
import io.kubetune.trainer.model.ValueHeadFile;
import io.kubetune.trainer.train.stage.BatchLoss;
import io.kubetune.trainer.train.stage.Metric;
import io.kubetune.trainer.train.stage.Objective;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * Stage ppo's objective on the shared training loop: before the first update of a rollout batch the
 * policy answers its prompts (one sample each), {@link RolloutScoring} scores the answers (reward
 * model, KL against the reference, values, GAE); every update then takes its rows of that rollout
 * through {@link PpoObjective}. The value head is trained beside the policy's weights and saved as
 * LLaMA-Factory's value_head.safetensors.
 */
final class PpoRolloutObjective implements Objective<PpoTurn> {
    private final PpoSettings settings;
    private final RolloutScoring scoring;
    private final PpoObjective update;
    private final ValueHead valueHead;
    private final long padId;
    private final Set<Long> eosIds;
    private final BiConsumer<Completions, RolloutScoring.Scored> onRollout;
    private NDManager rolloutMemory;
    private long rollout = Long.MIN_VALUE;
    private RolloutScoring.Scored scored;
    private Map<String, Float> rolloutMetrics = Map.of();

    PpoRolloutObjective(
            PpoSettings settings,
            RolloutScoring scoring,
            ValueHead valueHead,
            long padId,
            Set<Long> eosIds,
            BiConsumer<Completions, RolloutScoring.Scored> onRollout,
            PretrainedModel policy) {
        this.settings = settings;
        this.scoring = scoring;
        this.valueHead = valueHead;
        this.update =
                new PpoObjective(ValueFunction.head(valueHead, policy.parameterStore()), settings);
        this.padId = padId;
        this.eosIds = Set.copyOf(eosIds);
        this.onRollout = onRollout;
    }

    @Override
    public Map<String, Parameter> trainable() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        out.put(ValueHeadFile.WEIGHT, valueHead.summary().weight());
        out.put(ValueHeadFile.BIAS, valueHead.summary().bias());
        return out;
    }

    @Override
    public void writeFiles(Path dir) throws IOException {
        ValueHeadFile.write(dir, valueHead);
    }

    @Override
    public void beforeStep(PretrainedModel model, List<PpoTurn> microBatches) {
        if (microBatches.isEmpty() || microBatches.get(0).rollout() == rollout) {
            return;
        }
        PpoTurn turn = microBatches.get(0);
        if (rolloutMemory != null) {
            rolloutMemory.close();
        }
        rolloutMemory = model.manager().newSubManager();
        rollout = turn.rollout();
        List<long[]> prompts = new ArrayList<>();
        turn.prompts().forEach(b -> b.prompts().forEach(p -> prompts.add(p.ids())));
        Completions sampled =
                new BatchGenerator(model).generate(prompts, 1, sampling(drawSeed(model)));
        long[][] queries = leftPadded(prompts);
        int width = Math.max(1, sampled.maxLength());
        long[][] responses = new long[prompts.size()][width];
        float[][] logprobs = new float[prompts.size()][width];
        for (int r = 0; r < responses.length; r++) {
            java.util.Arrays.fill(responses[r], padId);
            java.util.Arrays.fill(logprobs[r], ResponseMasks.INVALID_LOGPROB);
            long[] row = sampled.tokens()[r];
            System.arraycopy(row, 0, responses[r], 0, row.length);
            System.arraycopy(sampled.logProbs()[r], 0, logprobs[r], 0, row.length);
        }
        // Outside the loop's gradient collector: nothing here is differentiated.
        scored = scoring.score(queries, responses, rolloutMemory.create(logprobs), rolloutMemory);
        PpoStats stats = new PpoStats();
        rolloutMetrics = stats.metrics(scored.advantages(), scored.eosTokens());
        onRollout.accept(sampled, scored);
    }

    @Override
    public long normalizer(PpoTurn batch) {
        // Each micro-batch's loss is a mean: the mini-batch's loss is their mean (TRL divides by
        // gradient_accumulation_steps through accelerate).
        return 1;
    }

    @Override
    public BatchLoss compute(
            PretrainedModel model, PpoTurn batch, NDManager scope, boolean training) {
        if (scored == null || batch.rollout() != rollout) {
            throw new IllegalStateException("beforeStep was not called for this rollout");
        }
        int[] rows = batch.rows();
        long[][] ids = new long[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            ids[i] = scored.queryResponses()[rows[i]];
        }
        QueryResponses micro = QueryResponses.of(ids, scored.rows().contextLength(), padId, scope);
        BatchLoss loss =
                update.compute(
                        model,
                        new PpoMicroBatch(micro, scored.advantages().rows(rows)),
                        scope,
                        training);
        Map<String, Metric> metrics = new LinkedHashMap<>();
        for (String name : ROLLOUT_METRICS) {
            Float value = rolloutMetrics.get(name);
            if (value != null) {
                metrics.put(name, Metric.of(value));
            }
        }
        metrics.putAll(loss.metrics());
        return new BatchLoss(loss.sum(), loss.tokens(), metrics);
    }

    /** The rollout's own statistics, as TRL logs them once per rollout batch. */
    private static final List<String> ROLLOUT_METRICS =
            List.of(
                    "objective/kl",
                    "objective/entropy",
                    "objective/non_score_reward",
                    "objective/rlhf_reward",
                    "objective/scores",
                    "val/num_eos_tokens");

    private long[][] leftPadded(List<long[]> prompts) {
        int width = prompts.stream().mapToInt(p -> p.length).max().orElse(0);
        long[][] out = new long[prompts.size()][width];
        for (int r = 0; r < out.length; r++) {
            long[] p = prompts.get(r);
            java.util.Arrays.fill(out[r], padId);
            System.arraycopy(p, 0, out[r], width - p.length, p.length);
        }
        return out;
    }

    // TRL's PPO samples with top_k 0 and top_p 1: the whole distribution at the temperature.
    private GenerationConfig sampling(long seed) {
        return GenerationConfig.builder()
                .optMaxNewTokens(settings.responseLength())
                .optDoSample(true)
                .optTemperature(settings.temperature())
                .optTopK(0)
                .optTopP(1.0)
                .optSeed(seed)
                .optEosTokenIds(eosIds)
                .build();
    }

    // A seed from the engine's generator, which the loop seeds per step.
    private static long drawSeed(PretrainedModel model) {
        try (NDManager draw = model.manager().newSubManager()) {
            NDArray value = draw.randomUniform(0f, (float) (1 << 24), new Shape(1));
            return (long) value.getFloat();
        }
    }
}
