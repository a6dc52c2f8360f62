package io.kubetune.operator.lifecycle;

import io.kubetune.api.v1alpha1.FineTuneJob;
import io.kubetune.api.v1alpha1.ModelSource;
import io.kubetune.api.v1alpha1.Reasons;
import io.kubetune.operator.lifecycle.Dependencies.Outcome;
import io.kubetune.operator.lifecycle.Dependencies.Resolved;
import java.util.function.Function;

/**
 * The model a job starts from when it names a LoRA job that wrote no merged model: that job's base
 * (its own spec.model: a URI, or the model of the job it started from) plus its adapter, which the
 * trainer folds into the weights (spec.model.adapter of the job file).
 */
final class BasePlusAdapter {
    private BasePlusAdapter() {}

    /**
     * @param job a LoRA FineTuneJob without output.mergeModel
     * @return the base and adapter, a refusal, or null while the job has written no adapter (the
     *     caller waits for it, or fails it, as for any output)
     */
    static Outcome resolve(String field, FineTuneJob job, Function<String, FineTuneJob> lookup) {
        String adapterUri = job.getStatus() == null ? null : job.getStatus().adapterUri;
        if (adapterUri == null) {
            return null;
        }
        String name = job.getMetadata().getName();
        ModelSource model = job.getSpec().model;
        if (model.adapter != null) {
            return stacked(field, name, "its spec.model.adapter");
        }
        if (model.uri != null) {
            return started(model.uri, job, adapterUri);
        }
        String baseName = model.fineTuneJobRef.name;
        FineTuneJob base = lookup.apply(baseName);
        if (base != null
                && Dependencies.adapter(base.getSpec())
                && !Dependencies.mergesModel(base.getSpec())) {
            return stacked(field, name, "the adapter of FineTuneJob " + baseName);
        }
        String baseUri =
                base == null || base.getStatus() == null ? null : base.getStatus().mergedModelUri;
        if (baseUri == null) {
            return Dependencies.failed(
                    Reasons.DEPENDENCY_FAILED,
                    field
                            + ": the base of FineTuneJob "
                            + name
                            + " is FineTuneJob "
                            + baseName
                            + ", which "
                            + (base == null
                                    ? "no longer exists"
                                    : "has no model (status.mergedModelUri is empty)")
                            + "; set spec.output.mergeModel: true on "
                            + name
                            + " and run it again");
        }
        return started(baseUri, job, adapterUri);
    }

    private static Outcome started(String baseUri, FineTuneJob job, String adapterUri) {
        return new Outcome(new Resolved(baseUri, job, adapterUri), null, null);
    }

    /** The trainer folds one adapter into the base; an adapter trained on another needs both. */
    private static Outcome stacked(String field, String name, String under) {
        return Dependencies.failed(
                Reasons.INVALID_SPEC,
                field
                        + ": FineTuneJob "
                        + name
                        + " trained its LoRA adapter on top of "
                        + under
                        + ", and a job starts from one adapter only; set"
                        + " spec.output.mergeModel: true on "
                        + name);
    }
}
