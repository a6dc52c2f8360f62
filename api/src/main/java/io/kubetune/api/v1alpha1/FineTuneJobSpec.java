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
                        + " || self.datasets.all(d, !(d.format in ['preference', 'kto', 'prompt']))",
        message =
                "formats preference, kto and prompt are for stages rm, dpo, kto and grpo; stages pt"
                        + " and sft read alpaca, dolly, sharegpt, messages or text",
        fieldPath = ".datasets")
@ValidationRule(
        value = "self.stage != 'grpo' || self.datasets.all(d, d.format == 'prompt')",
        message =
                "stage grpo samples answers to prompts: every dataset needs format prompt"
                        + " ({prompt, answer...})",
        fieldPath = ".datasets")
@ValidationRule(
        value = "self.stage != 'grpo' || has(self.grpo)",
        message =
                "stage grpo needs grpo.rewards, at least one reward (e.g. - type: exactMatch,"
                        + " column: answer)",
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
        message = "preference is only used by stages rm and dpo; remove it or change the stage",
        fieldPath = ".preference")
@ValidationRule(
        value = "!(self.stage in ['rm', 'dpo']) || self.training.batching == 'padding'",
        message =
                "stages rm and dpo keep each pair whole in padded rows; set training.batching:"
                        + " padding",
        fieldPath = ".training.batching")
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
                    + " (preference optimisation on pairs) or grpo (sampled answers scored by rule"
                    + " rewards); kto and ppo are not built yet.")
    public Stage stage = Stage.SFT;

    @JsonPropertyDescription(
            "Settings of stages rm and dpo: beta, the loss (sigmoid, ipo, hinge, robust, orpo,"
                    + " simpo) and its parameters.")
    public PreferenceSpec preference;

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
