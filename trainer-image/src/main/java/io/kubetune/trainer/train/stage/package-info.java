/**
 * The stage seam: what differs between kinds of training ({@code spec.stage}) and nothing else.
 *
 * <p>A stage is a {@link io.kubetune.trainer.train.stage.TrainingStage TrainingStage&lt;B&gt;} over
 * its own batch type {@code B}: it checks the spec before anything downloads ({@code validate}),
 * chooses the model's heads, turns the job's data into a {@link
 * io.kubetune.trainer.train.stage.BatchPlan BatchPlan&lt;B&gt;} plus evaluation batches ({@code
 * prepare}), and gives the {@link io.kubetune.trainer.train.stage.Objective Objective&lt;B&gt;}: a
 * summed loss, the units it is normalised by and the stage's named metrics. Objectives that compare
 * against the model before training ask the {@link io.kubetune.trainer.train.stage.StageContext
 * StageContext} for a {@link io.kubetune.trainer.train.stage.ReferenceModel ReferenceModel}:
 * adapters switched off under LoRA, a frozen copy otherwise.
 *
 * <p>Everything else is shared by every stage and lives in {@code train}: the loop (accumulation,
 * clipping, optimizer, per-step memory, the non-finite guard), checkpoints and resume, evaluation,
 * early stopping, answers before and after, export, and the metrics' way to {@code metrics.jsonl},
 * the progress line, {@code loss.png} and {@code status.progress.metrics}.
 *
 * <p>To add a stage: implement {@code TrainingStage<B>} and its {@code Objective<B>} in a package
 * of its own (e.g. {@code train.stage.dpo}) and register it in {@link
 * io.kubetune.trainer.train.stage.Stages Stages}.
 */
package io.kubetune.trainer.train.stage;
