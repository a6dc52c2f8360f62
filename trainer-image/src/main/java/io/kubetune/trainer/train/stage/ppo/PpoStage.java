package io.kubetune.trainer.train.stage.ppo;

import ai.djl.ndarray.types.DataType;
import io.kubetune.api.v1alpha1.DataFormat;
import io.kubetune.api.v1alpha1.FineTuneJobSpec;
import io.kubetune.api.v1alpha1.Stage;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.model.ValueHead;
import io.kubetune.trainer.model.io.HfConfig;
import io.kubetune.trainer.peft.RewardModels;
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
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
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
    private Path rewardModelDir;
    // The folder the reward adapter is applied to (the policy's base), or null for a merged one.
    private Path rewardBaseDir;

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
        this.rewardModelDir = inputs.rewardModelDir();
        if (rewardModelDir == null) {
            throw new IllegalArgumentException(
                    "spec.rewardModel.uri: not resolved to a local folder; set"
                            + " spec.rewardModel.uri");
        }
        this.rewardBaseDir = RewardAdapter.baseOf(spec, inputs);
        if (rewardBaseDir == null && !RewardModels.hasHead(rewardModelDir)) {
            throw new IllegalArgumentException(
                    "spec.rewardModel.uri: "
                            + spec.rewardModel.uri
                            + " has no score head (score.weight); use the merged/ model or the"
                            + " adapter/ folder of a stage rm run");
        }
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
            if (rewardBaseDir != null) {
                // An rm run's adapter, on the policy's own base: the same vocabulary by making.
                return frozen(
                        RewardModels.load(
                                rewardBaseDir,
                                rewardModelDir,
                                policy.manager().getDevice(),
                                policy.precision()));
            }
            // The reward model reads the policy's token ids as they are (TRL assumes it too).
            int vocab =
                    HfConfig.read(rewardModelDir.resolve("config.json")).optInt("vocab_size", -1);
            int policyVocab = policy.config().optInt("vocab_size", -1);
            if (vocab != policyVocab) {
                throw new IllegalArgumentException(
                        "spec.rewardModel.uri: "
                                + rewardModelDir
                                + " has vocab_size "
                                + vocab
                                + " but the policy "
                                + policyVocab
                                + "; it would misread the policy's tokens: use a reward model"
                                + " trained from the same base (a stage rm run on spec.model)");
            }
            return frozen(
                    RewardModels.load(
                            rewardModelDir,
                            null,
                            policy.manager().getDevice(),
                            policy.precision()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static PretrainedModel frozen(PretrainedModel model) {
        model.block().weightBindings().forEach(b -> b.parameter().freeze(true));
        return model;
    }
}
