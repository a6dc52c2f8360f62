package io.kubetune.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** Optimisation settings. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
        value = "has(self.epochs) != has(self.maxSteps)",
        message = "set exactly one of training.epochs or training.maxSteps")
@ValidationRule(
        value = "!(has(self.warmupSteps) && has(self.warmupRatio))",
        message = "set at most one of training.warmupSteps or training.warmupRatio")
@ValidationRule(
        value = "!has(self.maxTokensPerBatch) || !has(self.batching) || self.batching == 'padding'",
        message =
                "training.maxTokensPerBatch sizes padding batches only: drop it, or set"
                        + " training.batching to padding")
@ValidationRule(
        value =
                "!has(self.maxTokensPerBatch) || !has(self.cutoffLength)"
                        + " || self.maxTokensPerBatch >= self.cutoffLength",
        message =
                "training.maxTokensPerBatch must hold one row of training.cutoffLength tokens:"
                        + " raise it to at least cutoffLength")
public class TrainingSpec {
    @Min(1)
    @Max(1000)
    @JsonPropertyDescription("Passes over the data. Set this or maxSteps.")
    public Integer epochs;

    @Min(1)
    @Max(10_000_000)
    @JsonPropertyDescription("Optimizer steps to run. Set this or epochs.")
    public Integer maxSteps;

    @Min(1)
    @Max(4096)
    @Default("4")
    @JsonPropertyDescription("Samples per device per micro-batch.")
    public Integer batchSize = 4;

    @Min(1)
    @Max(1024)
    @Default("1")
    @JsonPropertyDescription("Micro-batches whose gradients are summed before each step.")
    public Integer gradientAccumulationSteps = 1;

    @Size(max = 32)
    @Pattern(Patterns.POSITIVE_DECIMAL)
    @Default("2e-4")
    @JsonPropertyDescription("Peak learning rate, a decimal string such as \"2e-4\".")
    public String learningRate = "2e-4";

    @Default("cosine")
    @JsonPropertyDescription("Schedule after warm-up: constant, linear or cosine.")
    public Scheduler scheduler = Scheduler.COSINE;

    @Min(0)
    @JsonPropertyDescription("Steps of linear warm-up. Set this or warmupRatio.")
    public Integer warmupSteps;

    @Size(max = 16)
    @Pattern(Patterns.FRACTION)
    @JsonPropertyDescription("Warm-up as a fraction of all steps, e.g. \"0.03\".")
    public String warmupRatio;

    @Size(max = 32)
    @Pattern(Patterns.POSITIVE_DECIMAL)
    @Default("0")
    @JsonPropertyDescription("AdamW decoupled weight decay.")
    public String weightDecay = "0";

    @Size(max = 32)
    @Pattern(Patterns.POSITIVE_DECIMAL)
    @Default("1.0")
    @JsonPropertyDescription("Clip gradients to this global L2 norm; \"0\" disables clipping.")
    public String maxGradNorm = "1.0";

    @Min(16)
    @Max(131072)
    @Default("1024")
    @JsonPropertyDescription("Maximum tokens per sample or packed row.")
    public Integer cutoffLength = 1024;

    @Min(16)
    @Max(16_777_216)
    @JsonPropertyDescription(
            "With padding batching: fill each micro-batch with samples of similar length up to"
                    + " this many tokens (rows × longest row, padding included) instead of"
                    + " batchSize rows. The loss stays normalised by the labelled tokens of the"
                    + " whole step, as transformers does. Unset: batchSize rows.")
    public Integer maxTokensPerBatch;

    @Default("false")
    @JsonPropertyDescription(
            "Recompute each decoder layer's forward in the backward pass instead of keeping its"
                    + " activations: less memory for about one more forward pass of time.")
    public Boolean gradientCheckpointing = false;

    @Default("padding")
    @JsonPropertyDescription("padding, packed, concat or packed-isolated.")
    public BatchingMode batching = BatchingMode.PADDING;

    @Default("false")
    @JsonPropertyDescription(
            "Also train on prompt tokens; by default the loss covers assistant turns only.")
    public Boolean trainOnPrompt = false;

    @Min(0)
    @Max(2147483647)
    @Default("42")
    @JsonPropertyDescription("Seed for initialisation, shuffling and dropout.")
    public Integer seed = 42;

    @Default("auto")
    @JsonPropertyDescription(
            "auto (bf16 on GPUs of compute capability 8.0 or newer, fp16 with loss scaling on"
                    + " older GPUs, fp32 on CPU), fp32, fp16 (with loss scaling), or bf16 (GPUs of"
                    + " compute capability 8.0 or newer).")
    public Precision precision = Precision.AUTO;

    @Min(1)
    @JsonPropertyDescription("Compute the validation loss every this many steps.")
    public Integer evalSteps;

    @Min(1)
    @JsonPropertyDescription(
            "Stop when the validation loss has not improved for this many evaluations.")
    public Integer earlyStoppingPatience;

    @Min(1)
    @Default("10")
    @JsonPropertyDescription("Log and report progress every this many steps.")
    public Integer loggingSteps = 10;
}
