package io.kubetune.trainer.train.stage.ppo;

import ai.djl.ndarray.types.DataType;
import io.kubetune.api.v1alpha1.DataFormat;
import io.kubetune.api.v1alpha1.FineTuneJobSpec;
import io.kubetune.api.v1alpha1.Stage;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.model.ValueHead;
import io.kubetune.trainer.tokenizer.HfTokenizer;
import io.kubetune.trainer.tokenizer.SpecialTokens;
import io.kubetune.trainer.train.FineTuneRun;
import io.kubetune.trainer.train.stage.Objective;
import io.kubetune.trainer.train.stage.StageContext;
import io.kubetune.trainer.train.stage.StageData;
import io.kubetune.trainer.train.stage.TrainingStage;
import io.kubetune.trainer.train.stage.grpo.GrpoData;
import io.kubetune.trainer.train.stage.grpo.GrpoStage;
import io.kubetune.trainer.train.stage.grpo.PromptBatch;
import io.kubetune.trainer.train.stage.rewardmodel.RewardModelFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Set;

/**
 * {@code ppo}: the policy answers prompts, a frozen reward model (a stage rm run's merged model)
 * scores each answer at its last token, and PPO (TRL's experimental PPOTrainer) trains the policy
 * with a KL penalty against the reference (adapters off under LoRA) and a value head on the
 * policy's hidden states (LLaMA-Factory's layout), ppoEpochs x miniBatches updates per rollout.
 */
public final class PpoStage implements TrainingStage<PpoTurn> {
    private HfTokenizer tokenizer;
    private RewardModelFiles rewardModelFiles;

    @Override
    public Stage stage() {
        return Stage.PPO;
    }

    @Override
    public void validate(FineTuneJobSpec spec) {
        if (spec.rewardModel == null
                || (spec.rewardModel.uri == null && spec.rewardModel.fineTuneJobRef == null)) {
            throw new IllegalArgumentException(
                    "spec.rewardModel: none given; stage ppo learns from a reward model: set"
                            + " rewardModel.uri, or rewardModel.fineTuneJobRef to a FineTuneJob"
                            + " of stage rm");
        }
        PpoSettings settings = PpoSettings.of(spec.ppo);
        if (settings.temperature() <= 0) {
            throw new IllegalArgumentException(
                    "spec.ppo.temperature: "
                            + spec.ppo.temperature
                            + " must be above 0 to sample; use e.g. \"0.7\" (TRL's default)");
        }
        if (settings.responseLength() < 1) {
            throw new IllegalArgumentException(
                    "spec.ppo.responseLength: "
                            + settings.responseLength()
                            + " leaves no answer to score; use e.g. 53 (TRL's default)");
        }
        for (int d = 0; d < spec.datasets.size(); d++) {
            if (spec.datasets.get(d).format != DataFormat.PROMPT) {
                throw new IllegalArgumentException(
                        "spec.datasets["
                                + d
                                + "].format: stage ppo reads format prompt ({prompt}); set"
                                + " format: prompt");
            }
        }
    }

    /** The reward model's mean score and the KL-penalised reward, as TRL names them. */
    @Override
    public List<String> mainMetrics() {
        return List.of("objective/scores", "objective/rlhf_reward");
    }

    @Override
    public StageData<PpoTurn> prepare(
            FineTuneJobSpec spec, FineTuneRun.Inputs inputs, HfTokenizer tokenizer)
            throws IOException {
        this.tokenizer = tokenizer;
        this.rewardModelFiles = RewardModelFiles.of(spec, inputs);
        PpoSettings settings = PpoSettings.of(spec.ppo);
        StageData<PromptBatch> prompts =
                GrpoData.prepare(
                        spec,
                        inputs,
                        tokenizer,
                        spec.training.batchSize,
                        settings.responseLength(),
                        List.of());
        return new StageData<>(
                new PpoPlan(
                        prompts.plan(),
                        settings,
                        spec.training.batchSize,
                        spec.training.seed,
                        spec.training.maxSteps),
                PpoPlan.evaluation(prompts.evaluation()),
                prompts.probes());
    }

    @Override
    public Objective<PpoTurn> objective(StageContext context) {
        PpoSettings settings = PpoSettings.of(context.spec().ppo);
        PretrainedModel policy = context.model();
        // Frozen, in its own manager, closed with the run.
        PretrainedModel rewardModel = context.own(loadRewardModel(policy));
        ValueHead head =
                new ValueHead(policy.block().hiddenSize())
                        .initialized(policy.manager(), DataType.FLOAT32);
        SpecialTokens special = tokenizer.specialTokens();
        Set<Long> eos = GrpoStage.eosIds(context, special);
        long eosId = eos.isEmpty() ? -1 : eos.iterator().next();
        long pad = special.paddingId();
        RolloutScoring scoring =
                new RolloutScoring(
                        policy,
                        context.referenceModel(),
                        ValueFunction.head(head, policy.parameterStore()),
                        rewardModel,
                        settings,
                        pad,
                        eosId,
                        eos.isEmpty() ? null : eosId);
        return new PpoRolloutObjective(
                settings, scoring, head, pad, eos, new PpoRolloutLog(context, tokenizer), policy);
    }

    private PretrainedModel loadRewardModel(PretrainedModel policy) {
        try {
            rewardModelFiles.requireVocabularyOf(policy);
            return rewardModelFiles.loadFrozen(policy);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
