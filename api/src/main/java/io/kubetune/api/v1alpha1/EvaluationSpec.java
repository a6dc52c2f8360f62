package io.kubetune.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/** Benchmarks run on the fine-tuned model once training has succeeded. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class EvaluationSpec {
    @Required
    @Size(min = 1, max = 8)
    @JsonPropertyDescription("Tasks to run, e.g. [{name: hellaswag}].")
    public List<EvalTask> tasks;

    @Min(1)
    @JsonPropertyDescription("Score at most this many items per task (all when unset).")
    public Integer limit;
}
