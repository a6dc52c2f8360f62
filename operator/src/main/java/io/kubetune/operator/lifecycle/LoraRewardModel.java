package io.kubetune.operator.lifecycle;

import io.kubetune.api.v1alpha1.FineTuneJob;
import io.kubetune.api.v1alpha1.ModelSource;
import io.kubetune.api.v1alpha1.Reasons;
import io.kubetune.operator.lifecycle.Dependencies.Outcome;
import java.util.function.Function;

/**
 * Whether an rm job that writes only a LoRA adapter (no merged model) can be a job's reward model.
 * The trainer applies that adapter (with its score head) to the policy's own base model, as
 * LLaMA-Factory applies a LoRA reward model, so the rm job must have trained on the model the
 * policy starts from, and that model must be one folder, not a base plus an adapter.
 */
final class LoraRewardModel {
    private LoraRewardModel() {}

    /**
     * @param rm a stage rm FineTuneJob with a LoRA method and no output.mergeModel
     * @param policy the spec.model of the job that names rm as its reward model
     * @return null when the adapter fits the policy (the caller then takes rm's adapterUri as any
     *     output), else a refusal, or a wait while the policy's model is not written yet
     */
    static Outcome check(
            String field,
            FineTuneJob rm,
            ModelSource policy,
            Function<String, FineTuneJob> lookup) {
        String name = rm.getMetadata().getName();
        String prefix =
                field
                        + ": FineTuneJob "
                        + name
                        + " writes only a LoRA adapter, which the trainer applies to this job's"
                        + " base model, but ";
        if (policy == null) {
            return refused(
                    prefix
                            + "this job names no model; set spec.output.mergeModel: true on "
                            + name);
        }
        if (policy.adapter != null) {
            return refused(
                    prefix
                            + "this job starts from a base plus an adapter (spec.model.adapter);"
                            + " set spec.output.mergeModel: true on "
                            + name
                            + ", or start this job from a merged model");
        }
        String policyJob = policy.fineTuneJobRef == null ? null : policy.fineTuneJobRef.name;
        if (policyJob != null && adapterOnly(lookup.apply(policyJob))) {
            return refused(
                    prefix
                            + "this job starts from the base plus the adapter of FineTuneJob "
                            + policyJob
                            + ", which has no spec.output.mergeModel; set"
                            + " spec.output.mergeModel: true on "
                            + policyJob
                            + " (the policy's model) or on "
                            + name);
        }
        ModelSource trained = rm.getSpec().model;
        if (trained.adapter == null
                && policyJob != null
                && trained.fineTuneJobRef != null
                && policyJob.equals(trained.fineTuneJobRef.name)) {
            return null;
        }
        String policyUri = uriOf(policy, lookup);
        if (policyUri == null) {
            return new Outcome(
                    null,
                    Preparation.waiting(
                            Reasons.WAITING_FOR_DEPENDENCY,
                            field
                                    + ": waiting for FineTuneJob "
                                    + policyJob
                                    + " (this job's model) to compare it with the model "
                                    + name
                                    + " trained on"),
                    null);
        }
        if (trained.adapter == null && policyUri.equals(uriOf(trained, lookup))) {
            return null;
        }
        return refused(
                prefix
                        + name
                        + " trained on "
                        + label(trained, lookup)
                        + " and this job starts from "
                        + label(policy, lookup)
                        + "; set spec.output.mergeModel: true on "
                        + name
                        + ", or start both jobs from the same model");
    }

    private static boolean adapterOnly(FineTuneJob job) {
        return job != null
                && Dependencies.adapter(job.getSpec())
                && !Dependencies.mergesModel(job.getSpec());
    }

    /** The one folder a spec.model names: its URI, or its job's merged model; null if none yet. */
    private static String uriOf(ModelSource model, Function<String, FineTuneJob> lookup) {
        if (model.uri != null) {
            return model.uri;
        }
        FineTuneJob job = lookup.apply(model.fineTuneJobRef.name);
        return job == null || job.getStatus() == null || adapterOnly(job)
                ? null
                : job.getStatus().mergedModelUri;
    }

    private static String label(ModelSource model, Function<String, FineTuneJob> lookup) {
        String uri = uriOf(model, lookup);
        String what =
                model.uri != null
                        ? model.uri
                        : "the model of FineTuneJob "
                                + model.fineTuneJobRef.name
                                + (uri == null ? "" : " (" + uri + ")");
        return model.adapter == null ? what : what + " plus an adapter (its spec.model.adapter)";
    }

    private static Outcome refused(String message) {
        return Dependencies.failed(Reasons.INVALID_SPEC, message);
    }
}
