package io.kubetune.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/** Which model to evaluate on which benchmarks. */
@ValidationRule(
        value = "!has(self.doubleQuant) || (has(self.quantization) && self.quantization == 'nf4')",
        message = "spec.doubleQuant applies to quantization: nf4 only; remove it")
@JsonInclude(JsonInclude.Include.NON_NULL)
public class EvalJobSpec extends RunSpec {
    @Required
    @JsonPropertyDescription("The model to evaluate.")
    public ModelSource model;

    @JsonPropertyDescription("Optional LoRA adapter applied on top of the model.")
    public AdapterSource adapter;

    @Required
    @Size(min = 1, max = 8)
    @JsonPropertyDescription("Tasks to run, e.g. [{name: hellaswag}].")
    public List<EvalTask> tasks;

    @Min(1)
    @JsonPropertyDescription("Score at most this many items per task (all when unset).")
    public Integer limit;

    @Min(1)
    @Max(1024)
    @Default("8")
    @JsonPropertyDescription("Sequences scored together.")
    public Integer batchSize = 8;

    @Default("auto")
    @JsonPropertyDescription(
            "auto (bf16 on GPUs of compute capability 8.0 or newer, fp16 on older GPUs, fp32 on"
                    + " CPU), fp32, fp16, or bf16 (GPUs of compute capability 8.0 or newer).")
    public Precision precision = Precision.AUTO;

    @Default("none")
    @JsonPropertyDescription(
            "Holds the model's decoder linear weights quantized, as a FineTuneJob's"
                    + " method.quantization does (bitsandbytes' formats): none, int8 (LLM.int8) or"
                    + " nf4 (4-bit NormalFloat). Embeddings, norms and the LM head stay dense.")
    public Quantization quantization = Quantization.NONE;

    @JsonPropertyDescription(
            "nf4 only: also quantize the per-block scales (bitsandbytes' double quantization)."
                    + " Default true.")
    public Boolean doubleQuant;

    @JsonPropertyDescription("Where per-item results are written (optional).")
    public OutputSpec output;

    @JsonPropertyDescription(
            "An MLflow run to add the results to; the operator fills it in from a FineTuneJob"
                    + " with spec.tracking.mlflow whose adapter is evaluated.")
    public EvalTrackingSpec tracking;
}
