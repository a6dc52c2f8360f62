package io.kubetune.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/** Which model to evaluate on which benchmarks. */
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

    @JsonPropertyDescription("Where per-item results are written (optional).")
    public OutputSpec output;

    @JsonPropertyDescription(
            "An MLflow run to add the results to; the operator fills it in from a FineTuneJob"
                    + " with spec.tracking.mlflow whose adapter is evaluated.")
    public EvalTrackingSpec tracking;
}
