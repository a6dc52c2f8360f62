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
        value = "!(self.stage in ['kto', 'ppo'])",
        message = "stages kto and ppo are not built yet; use pt, sft, rm or dpo",
        fieldPath = ".stage")
@ValidationRule(
        value = "!(self.stage in ['rm', 'dpo']) || self.datasets.all(d, d.format == 'preference')",
        message =
                "stages rm and dpo train on pairs: every dataset needs format preference"
                        + " ({prompt, chosen, rejected})",
        fieldPath = ".datasets")
@ValidationRule(
        value =
                "!(self.stage in ['pt', 'sft'])"
                        + " || self.datasets.all(d, !(d.format in ['preference', 'kto']))",
        message =
                "formats preference and kto are for stages rm, dpo and kto; stages pt and sft"
                        + " read alpaca, dolly, sharegpt, messages or text",
        fieldPath = ".datasets")
@ValidationRule(
        value = "!has(self.preference) || self.stage in ['rm', 'dpo', 'kto']",
        message = "preference is only used by stages rm and dpo; remove it or change the stage",
        fieldPath = ".preference")
@ValidationRule(
        value = "!(self.stage in ['rm', 'dpo']) || self.training.batching == 'padding'",
        message =
                "stages rm and dpo keep each pair whole in padded rows; set training.batching:"
                        + " padding",
        fieldPath = ".training.batching")
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
            "pt (raw text), sft (instructions, conversations), rm (reward model on pairs) or dpo"
                    + " (preference optimisation on pairs); kto and ppo are not built yet.")
    public Stage stage = Stage.SFT;

    @JsonPropertyDescription(
            "Settings of stages rm and dpo: beta, the loss (sigmoid, ipo, hinge, robust, orpo,"
                    + " simpo) and its parameters.")
    public PreferenceSpec preference;

    @JsonPropertyDescription(
            "Settings of stage ppo, with TRL's defaults: klCoef, klEstimator, gamma, lam,"
                    + " clipRange, clipRangeValue, vfCoef, whitenRewards, ppoEpochs, miniBatches,"
                    + " responseLength, temperature, missingEosPenalty.")
    public PpoSpec ppo;

    @JsonPropertyDescription(
            "chatml: give a base model without a chat template ChatML's <|im_start|> and"
                    + " <|im_end|> as special tokens, grow its embedding (new rows are the mean of"
                    + " the old ones) and use ChatML, as TRL's setup_chat_format does; the adapted"
                    + " base model is written to the output's chat-format-model/.")
    public ChatFormat chatFormat;

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
