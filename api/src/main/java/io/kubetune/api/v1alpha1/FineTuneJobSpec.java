package io.kubetune.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/** What to fine-tune, on what, how, and where the results go. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
        value = "!(self.stage in ['rm', 'dpo']) || self.datasets.all(d, d.format == 'preference')",
        message =
                "stages rm and dpo train on pairs: every dataset needs format preference"
                        + " ({prompt, chosen, rejected})",
        fieldPath = ".datasets")
@ValidationRule(
        value = "self.stage != 'kto' || self.datasets.all(d, d.format in ['kto', 'preference'])",
        message =
                "stage kto trains on judged answers: every dataset needs format kto ({prompt,"
                        + " completion, label}) or preference (split into desirable and"
                        + " undesirable answers)",
        fieldPath = ".datasets")
@ValidationRule(
        value =
                "!(self.stage in ['pt', 'sft'])"
                        + " || self.datasets.all(d, !(d.format in ['preference', 'kto', 'prompt']))",
        message =
                "formats preference, kto and prompt are for stages rm, dpo, kto, grpo and ppo; stages pt"
                        + " and sft read alpaca, dolly, sharegpt, messages or text",
        fieldPath = ".datasets")
@ValidationRule(
        value = "!(self.stage in ['grpo', 'ppo']) || self.datasets.all(d, d.format == 'prompt')",
        message =
                "stages grpo and ppo sample answers to prompts: every dataset needs format prompt"
                        + " ({prompt, answer...})",
        fieldPath = ".datasets")
@ValidationRule(
        value =
                "self.stage != 'grpo' || has(self.rewardModel) || (has(self.grpo)"
                        + " && has(self.grpo.rewards) && size(self.grpo.rewards) > 0)",
        message =
                "stage grpo needs a reward: grpo.rewards (e.g. - type: exactMatch, column:"
                        + " answer) and/or spec.rewardModel",
        fieldPath = ".grpo")
@ValidationRule(
        value = "!has(self.grpo) || self.stage == 'grpo'",
        message = "grpo is only used by stage grpo; remove it or set stage: grpo",
        fieldPath = ".grpo")
@ValidationRule(
        value =
                "self.stage != 'grpo' || !has(self.grpo) || !has(self.training.batchSize)"
                        + " || !has(self.grpo.numGenerations)"
                        + " || self.training.batchSize % self.grpo.numGenerations == 0",
        message =
                "stage grpo: training.batchSize counts completions and must be a multiple of"
                        + " grpo.numGenerations; raise batchSize or lower numGenerations",
        fieldPath = ".training.batchSize")
@ValidationRule(
        value = "!has(self.preference) || self.stage in ['rm', 'dpo', 'kto']",
        message =
                "preference is only used by stages rm, dpo and kto; remove it or change the stage",
        fieldPath = ".preference")
@ValidationRule(
        value =
                "!has(self.preference) || self.stage == 'kto'"
                        + " || !(has(self.preference.desirableWeight)"
                        + " || has(self.preference.undesirableWeight))",
        message =
                "preference.desirableWeight and undesirableWeight are only used by stage kto;"
                        + " remove them or set stage: kto",
        fieldPath = ".preference")
@ValidationRule(
        value = "self.stage != 'kto' || !has(self.preference) || self.preference.loss == 'sigmoid'",
        message =
                "stage kto has one loss, TRL's kto; remove preference.loss (the dpo losses do not"
                        + " apply)",
        fieldPath = ".preference.loss")
@ValidationRule(
        value = "self.stage != 'kto' || self.training.batchSize > 1",
        message =
                "stage kto estimates its KL term from the other answers of each batch; set"
                        + " training.batchSize to 2 or more",
        fieldPath = ".training.batchSize")
@ValidationRule(
        value = "!(self.stage in ['rm', 'dpo', 'kto']) || self.training.batching == 'padding'",
        message =
                "stages rm, dpo and kto keep each example whole in padded rows; set"
                        + " training.batching: padding",
        fieldPath = ".training.batching")
@ValidationRule(
        value = "!has(self.rewardModel) || self.stage in ['ppo', 'grpo']",
        message = "rewardModel is only used by stages ppo and grpo; remove it or change the stage",
        fieldPath = ".rewardModel")
@ValidationRule(
        value =
                "!(has(self.method) && self.method.type in ['prompt-tuning', 'p-tuning'])"
                        + " || !has(self.training.batching) || self.training.batching == 'padding'",
        message =
                "prompt-tuning and p-tuning put their virtual tokens once before each row, so"
                        + " packed samples would share them; set training.batching: padding (or"
                        + " use prefix-tuning, which keeps packed samples isolated)",
        fieldPath = ".training.batching")
@ValidationRule(
        value =
                "!(has(self.method) && self.method.type == 'prefix-tuning')"
                        + " || !has(self.training.gradientCheckpointing)"
                        + " || !self.training.gradientCheckpointing",
        message =
                "prefix-tuning cannot run with gradient checkpointing (PEFT refuses it too); set"
                        + " training.gradientCheckpointing: false",
        fieldPath = ".training.gradientCheckpointing")
@ValidationRule(
        value =
                "!(has(self.method) && self.method.type in ['prompt-tuning', 'prefix-tuning',"
                        + " 'p-tuning']) || !has(self.output) || !has(self.output.mergeModel)"
                        + " || !self.output.mergeModel",
        message =
                "prompt-learning adapters are virtual tokens, not weights, and cannot be merged"
                        + " into the model; set output.mergeModel: false",
        fieldPath = ".output.mergeModel")
@ValidationRule(
        value =
                "self.stage != 'rm' || !(has(self.method) && self.method.type in"
                        + " ['prompt-tuning', 'prefix-tuning', 'p-tuning'])",
        message =
                "stage rm trains a score head, which prompt-learning adapters do not save; use"
                        + " method.type lora, full or freeze",
        fieldPath = ".method.type")
@ValidationRule(
        value = "self.stage != 'ppo' || has(self.rewardModel)",
        message =
                "stage ppo learns from a reward model: set rewardModel.uri, or"
                        + " rewardModel.fineTuneJobRef to a FineTuneJob of stage rm",
        fieldPath = ".rewardModel")
@ValidationRule(
        value = "!has(self.ppo) || self.stage == 'ppo'",
        message = "ppo is only used by stage ppo; remove it or set stage: ppo",
        fieldPath = ".ppo")
@ValidationRule(
        value =
                "!has(self.ppo) || !has(self.ppo.miniBatches)"
                        + " || (has(self.training.gradientAccumulationSteps)"
                        + " ? self.training.gradientAccumulationSteps : 1) % self.ppo.miniBatches"
                        + " == 0",
        message =
                "ppo.miniBatches must divide training.gradientAccumulationSteps: a rollout batch"
                        + " is batchSize x gradientAccumulationSteps rows, split into miniBatches"
                        + " optimizer steps of whole micro-batches",
        fieldPath = ".ppo.miniBatches")
@ValidationRule(
        value =
                "!has(self.ppo) || !has(self.ppo.whitenRewards) || !self.ppo.whitenRewards"
                        + " || (has(self.training.batchSize) ? self.training.batchSize : 4)"
                        + " * (has(self.training.gradientAccumulationSteps)"
                        + " ? self.training.gradientAccumulationSteps : 1)"
                        + " >= 8 * (has(self.ppo.miniBatches) ? self.ppo.miniBatches : 1)",
        message =
                "ppo.whitenRewards needs at least 8 rows per PPO mini-batch (TRL's limit): make"
                        + " training.batchSize x gradientAccumulationSteps at least 8 x"
                        + " ppo.miniBatches, or drop whitenRewards",
        fieldPath = ".ppo.whitenRewards")
public class FineTuneJobSpec extends RunSpec {
    @Required
    @JsonPropertyDescription("The base model.")
    public ModelSource model;

    @Required
    @Size(min = 1, max = 8)
    @JsonPropertyDescription("Training data; several datasets are concatenated.")
    public List<DatasetSpec> datasets;

    @JsonPropertyDescription("Held-out data for the eval loss (a ratio of the data, or a file).")
    public ValidationSpec validation;

    @Default("sft")
    @JsonPropertyDescription(
            "pt (raw text), sft (instructions, conversations), rm (reward model on pairs), dpo"
                    + " (preference optimisation on pairs), kto (answers judged desirable or"
                    + " not) or grpo (sampled answers scored by rule rewards and/or a reward model) or ppo (sampled"
                    + " answers scored by a reward model, with a value head).")
    public Stage stage = Stage.SFT;

    @JsonPropertyDescription(
            "Settings of stages rm, dpo and kto: beta, the loss (sigmoid, ipo, hinge, robust, orpo,"
                    + " simpo) and its parameters, kto's desirable and undesirable weights.")
    public PreferenceSpec preference;

    @JsonPropertyDescription(
            "Settings of stage ppo, with TRL's defaults: klCoef, klEstimator, gamma, lam,"
                    + " clipRange, clipRangeValue, vfCoef, whitenRewards, ppoEpochs, miniBatches,"
                    + " responseLength, temperature, missingEosPenalty.")
    public PpoSpec ppo;

    @JsonPropertyDescription(
            "Settings of stage grpo: completions per prompt, sampling, the loss and its clip, the"
                    + " KL weight beta, and the rule rewards.")
    public GrpoSpec grpo;

    @JsonPropertyDescription(
            "chatml: give a base model without a chat template ChatML's <|im_start|> and"
                    + " <|im_end|> as special tokens, grow its embedding (new rows are the mean of"
                    + " the old ones) and use ChatML, as TRL's setup_chat_format does; the adapted"
                    + " base model is written to the output's chat-format-model/.")
    public ChatFormat chatFormat;

    @JsonPropertyDescription(
            "The reward model of stages ppo and grpo: a URI, or a FineTuneJob of stage rm.")
    public RewardModelSource rewardModel;

    @JsonPropertyDescription("Which weights are trained: lora (default), full or freeze.")
    public MethodSpec method = new MethodSpec();

    @Required
    @JsonPropertyDescription("Optimisation settings; set exactly one of epochs or maxSteps.")
    public TrainingSpec training;

    @JsonPropertyDescription("How often checkpoints are written and how many are kept.")
    public CheckpointSpec checkpoint = new CheckpointSpec();

    @Required
    @JsonPropertyDescription("Where checkpoints, the adapter and metrics are written.")
    public OutputSpec output;

    @JsonPropertyDescription("TensorBoard event files and an MLflow run beside metrics.jsonl.")
    public TrackingSpec tracking;

    @JsonPropertyDescription("Benchmarks to run on the result once training succeeds.")
    public EvaluationSpec evaluation;
}
