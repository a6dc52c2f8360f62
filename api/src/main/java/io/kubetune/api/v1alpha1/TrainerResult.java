package io.kubetune.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * What the trainer writes to its container's termination message (JSON, at most 4 KiB): the outcome
 * of a training or evaluation run, read by the operator when the pod ends.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TrainerResult {
    /** The error, one line, when the run failed. */
    public String error;

    /** Optimizer steps done. */
    public Long steps;

    /** Training loss of the last step. */
    public Double finalLoss;

    /** Validation loss of the last evaluation. */
    public Double finalEvalLoss;

    /** Where the LoRA adapter was written. */
    public String adapterUri;

    /** Where the merged or fully trained model was written. */
    public String mergedModelUri;

    /** The newest complete checkpoint. */
    public CheckpointRef lastCheckpoint;

    /** Evaluation results (EvalJob). */
    public List<EvalResult> evalResults;
}
