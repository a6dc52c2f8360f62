package io.kubetune.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

/** State of a fine-tune: the operator's conditions plus the trainer's progress and artifacts. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class FineTuneJobStatus extends JobStatus {
    @JsonPropertyDescription("Live training progress, reported by the trainer.")
    public TrainingProgress progress;

    @JsonPropertyDescription("The newest complete checkpoint; a new attempt resumes from it.")
    public CheckpointRef lastCheckpoint;

    @JsonPropertyDescription("The MLflow run the trainer logs to, once the server created it.")
    public MlflowRunRef mlflow;

    @JsonPropertyDescription("Where the LoRA adapter (PEFT format) was written.")
    public String adapterUri;

    @JsonPropertyDescription("Where the merged model (HF format) was written.")
    public String mergedModelUri;

    @JsonPropertyDescription("Name of the EvalJob that evaluates the result.")
    public String evalJobName;

    @JsonPropertyDescription("Results of the evaluation after training.")
    public List<EvalResult> evalResults;

    @JsonPropertyDescription("Hellaswag acc_norm of the result, for kubectl get.")
    public Double hellaswag;
}
