package io.kubetune.trainer.train.stage;

import io.kubetune.api.v1alpha1.FineTuneJobSpec;
import io.kubetune.api.v1alpha1.Stage;
import io.kubetune.trainer.model.Heads;
import io.kubetune.trainer.tokenizer.HfTokenizer;
import io.kubetune.trainer.train.FineTuneRun;
import java.io.IOException;
import java.util.List;

/**
 * One kind of training ({@code spec.stage}): how its data becomes batches and which loss it
 * minimises. The run around it (model, method, optimizer, checkpoints, evaluation, export) is the
 * same for every stage. Register a new one in {@link Stages}.
 *
 * @param <B> the stage's batch type
 */
public interface TrainingStage<B> {
    /** The {@code spec.stage} value this stage runs. */
    Stage stage();

    /**
     * Refuses a spec this stage cannot run, before anything is downloaded: throws
     * IllegalArgumentException with one line naming the field, its value and the fix.
     */
    default void validate(FineTuneJobSpec spec) {}

    /** The heads the model is loaded with: the LM head by default; a reward model's score head. */
    default Heads heads() {
        return Heads.LM;
    }

    /**
     * The metrics that tell whether this stage learns, drawn in loss.png's second panel (the first
     * on the left axis, the others on the right); none for stages whose loss says it all.
     */
    default List<String> mainMetrics() {
        return List.of();
    }

    /** Reads, tokenizes and batches the job's data (local files by now). */
    StageData<B> prepare(FineTuneJobSpec spec, FineTuneRun.Inputs inputs, HfTokenizer tokenizer)
            throws IOException;

    /** The loss, made once the model and its adapters are ready. */
    Objective<B> objective(StageContext context);
}
