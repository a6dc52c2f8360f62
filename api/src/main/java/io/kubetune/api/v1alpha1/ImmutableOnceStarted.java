package io.kubetune.api.v1alpha1;

/**
 * CEL rules that freeze a job's spec once it has started, except spec.suspend.
 *
 * <p>CEL cannot iterate the fields of a structured object, so each field is compared by name; an
 * optional one must be absent on both sides or equal. Keep these lists in step with the specs.
 */
final class ImmutableOnceStarted {
    static final String MESSAGE =
            "spec is immutable once the job has started (status.startTime is set); only"
                    + " spec.suspend may change. Delete and re-create the resource to change it.";

    private static final String NOT_STARTED =
            "!has(oldSelf.status) || !has(oldSelf.status.startTime) || (";

    private static final String RUN_FIELDS =
            "(has(self.spec.resources) == has(oldSelf.spec.resources) && (!has(self.spec.resources)"
                    + " || self.spec.resources == oldSelf.spec.resources))"
                    + " && (has(self.spec.image) == has(oldSelf.spec.image) && (!has(self.spec.image)"
                    + " || self.spec.image == oldSelf.spec.image))"
                    + " && (has(self.spec.activeDeadlineSeconds) =="
                    + " has(oldSelf.spec.activeDeadlineSeconds) &&"
                    + " (!has(self.spec.activeDeadlineSeconds) || self.spec.activeDeadlineSeconds =="
                    + " oldSelf.spec.activeDeadlineSeconds))"
                    + " && (has(self.spec.backoffLimit) == has(oldSelf.spec.backoffLimit) &&"
                    + " (!has(self.spec.backoffLimit) || self.spec.backoffLimit =="
                    + " oldSelf.spec.backoffLimit))"
                    + " && (has(self.spec.queueName) == has(oldSelf.spec.queueName) &&"
                    + " (!has(self.spec.queueName) || self.spec.queueName == oldSelf.spec.queueName))";

    static final String FINE_TUNE_JOB_RULE =
            NOT_STARTED
                    + RUN_FIELDS
                    + " && self.spec.model == oldSelf.spec.model"
                    + " && self.spec.datasets == oldSelf.spec.datasets"
                    + " && self.spec.training == oldSelf.spec.training"
                    + " && self.spec.output == oldSelf.spec.output"
                    + " && (has(self.spec.stage) == has(oldSelf.spec.stage) && (!has(self.spec.stage)"
                    + " || self.spec.stage == oldSelf.spec.stage))"
                    + " && (has(self.spec.method) == has(oldSelf.spec.method) &&"
                    + " (!has(self.spec.method) || self.spec.method == oldSelf.spec.method))"
                    + " && (has(self.spec.validation) == has(oldSelf.spec.validation) &&"
                    + " (!has(self.spec.validation) || self.spec.validation =="
                    + " oldSelf.spec.validation))"
                    + " && (has(self.spec.checkpoint) == has(oldSelf.spec.checkpoint) &&"
                    + " (!has(self.spec.checkpoint) || self.spec.checkpoint =="
                    + " oldSelf.spec.checkpoint))"
                    + " && (has(self.spec.rewardModel) == has(oldSelf.spec.rewardModel) &&"
                    + " (!has(self.spec.rewardModel) || self.spec.rewardModel =="
                    + " oldSelf.spec.rewardModel))"
                    + " && (has(self.spec.evaluation) == has(oldSelf.spec.evaluation) &&"
                    + " (!has(self.spec.evaluation) || self.spec.evaluation =="
                    + " oldSelf.spec.evaluation)))";

    static final String EVAL_JOB_RULE =
            NOT_STARTED
                    + RUN_FIELDS
                    + " && self.spec.model == oldSelf.spec.model"
                    + " && self.spec.tasks == oldSelf.spec.tasks"
                    + " && (has(self.spec.adapter) == has(oldSelf.spec.adapter) &&"
                    + " (!has(self.spec.adapter) || self.spec.adapter == oldSelf.spec.adapter))"
                    + " && (has(self.spec.limit) == has(oldSelf.spec.limit) && (!has(self.spec.limit)"
                    + " || self.spec.limit == oldSelf.spec.limit))"
                    + " && (has(self.spec.batchSize) == has(oldSelf.spec.batchSize) &&"
                    + " (!has(self.spec.batchSize) || self.spec.batchSize == oldSelf.spec.batchSize))"
                    + " && (has(self.spec.precision) == has(oldSelf.spec.precision) &&"
                    + " (!has(self.spec.precision) || self.spec.precision == oldSelf.spec.precision))"
                    + " && (has(self.spec.output) == has(oldSelf.spec.output) &&"
                    + " (!has(self.spec.output) || self.spec.output == oldSelf.spec.output)))";

    private ImmutableOnceStarted() {}
}
