package io.kubetune.trainer.train.stage.grpo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.kubetune.api.v1alpha1.GrpoLossType;
import io.kubetune.trainer.generate.BatchGenerator;
import io.kubetune.trainer.generate.GenerationConfig;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.train.stage.BatchLoss;
import io.kubetune.trainer.train.stage.Metric;
import io.kubetune.trainer.train.stage.Objective;
import io.kubetune.trainer.train.stage.ReferenceModel;
import io.kubetune.trainer.train.stage.rollout.Rollout;
import io.kubetune.trainer.train.stage.rollout.RolloutTensors;
import io.kubetune.trainer.train.stage.rollout.TokenLogps;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Stage grpo's objective, one TRL GRPO iteration per step (num_iterations 1): before the step,
 * every micro-batch's prompts are answered numGenerations times by the current policy and the
 * answers rewarded and normalised into advantages over the whole step; each micro-batch's loss is
 * then {@link GrpoLoss} on the policy's log-probs at the sampling temperature, against the
 * reference (adapters off) when β > 0.
 */
final class GrpoObjective implements Objective<PromptBatch> {
    private final GrpoSettings settings;
    private final GrpoLoss loss;
    private final RolloutScorer scorer;
    private final ReferenceModel reference;
    private final long padId;
    private final Set<Long> eosIds;
    private final Consumer<List<ScoredRollout>> onRollout;
    private final Map<PromptBatch, ScoredRollout> scored = new IdentityHashMap<>();

    /**
     * @param reference null when β = 0
     * @param onRollout sees each step's scored rollouts (sample rollouts for generations.jsonl)
     */
    GrpoObjective(
            GrpoSettings settings,
            RolloutScorer scorer,
            ReferenceModel reference,
            long padId,
            Set<Long> eosIds,
            Consumer<List<ScoredRollout>> onRollout) {
        this.settings = settings;
        this.loss = new GrpoLoss(settings);
        this.scorer = scorer;
        this.reference = reference;
        this.padId = padId;
        this.eosIds = Set.copyOf(eosIds);
        this.onRollout = onRollout;
    }

    @Override
    public void beforeStep(PretrainedModel model, List<PromptBatch> microBatches) {
        scored.clear();
        BatchGenerator generator = new BatchGenerator(model);
        GenerationConfig config = sampling(drawSeed(model));
        List<Rollout> rollouts = new ArrayList<>();
        for (PromptBatch batch : microBatches) {
            List<long[]> prompts = batch.prompts().stream().map(PromptBatch.Prompt::ids).toList();
            List<long[]> rows = new ArrayList<>();
            prompts.forEach(
                    p -> rows.addAll(java.util.Collections.nCopies(settings.numGenerations(), p)));
            rollouts.add(
                    new Rollout(
                            rows, generator.generate(prompts, settings.numGenerations(), config)));
        }
        List<ScoredRollout> result = scorer.score(microBatches, rollouts);
        for (int i = 0; i < microBatches.size(); i++) {
            scored.put(microBatches.get(i), result.get(i));
        }
        onRollout.accept(result);
    }

    @Override
    public long normalizer(PromptBatch batch) {
        // dapo: the step's completion tokens; grpo, dr_grpo: one value per micro-batch.
        return settings.lossType() == GrpoLossType.DAPO
                ? rollout(batch).rollout().completionTokens()
                : 1;
    }

    @Override
    public BatchLoss compute(
            PretrainedModel model, PromptBatch batch, NDManager scope, boolean training) {
        ScoredRollout rollout = rollout(batch);
        RolloutTensors tensors = RolloutTensors.of(rollout.rollout(), scope, padId);
        TokenLogps policy = TokenLogps.of(model, tensors, settings.temperature(), training);
        NDArray ref = reference == null ? null : referenceLogps(rollout.rollout(), scope);
        NDArray mask = tensors.completionMask();
        GrpoLoss.Result result =
                loss.compute(policy.logps(), null, ref, scope.create(rollout.advantages()), mask);
        Map<String, Metric> metrics = new LinkedHashMap<>(rollout.metrics());
        metrics.putAll(result.metrics());
        float tokens = tensors.completionTokens();
        metrics.put("entropy", new Metric(policy.entropies().mul(mask).sum().getFloat(), tokens));
        return new BatchLoss(result.sum(), rollout.rollout().tokens(), metrics);
    }

    private ScoredRollout rollout(PromptBatch batch) {
        ScoredRollout r = scored.get(batch);
        if (r == null) {
            throw new IllegalStateException("beforeStep was not called for this batch");
        }
        return r;
    }

    // The reference's pass in a scope of its own (its inputs too, since results belong to their
    // first operand's manager), so its activations are freed at once.
    private NDArray referenceLogps(Rollout rollout, NDManager scope) {
        try (NDManager pass = scope.newSubManager()) {
            RolloutTensors tensors = RolloutTensors.of(rollout, pass, padId);
            NDArray logps =
                    reference.apply(
                            m ->
                                    TokenLogps.of(m, tensors, settings.temperature(), false)
                                            .logps()
                                            .stopGradient());
            logps.attach(scope);
            return logps;
        }
    }

    private GenerationConfig sampling(long seed) {
        return GenerationConfig.builder()
                .optMaxNewTokens(settings.maxCompletionLength())
                .optDoSample(true)
                .optTemperature(settings.temperature())
                .optTopK(settings.topK())
                .optTopP(settings.topP())
                .optSeed(seed)
                .optEosTokenIds(eosIds)
                .build();
    }

    // A seed drawn from the engine's generator, which the loop seeds per step: a resumed run
    // samples step k's rollouts again.
    private static long drawSeed(PretrainedModel model) {
        try (NDManager draw = model.manager().newSubManager()) {
            return (long) draw.randomUniform(0f, (float) (1 << 24), new Shape(1)).getFloat();
        }
    }
}
