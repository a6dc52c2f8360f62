package io.kubetune.operator.lifecycle;

import io.kubetune.api.v1alpha1.AdapterSource;
import io.kubetune.api.v1alpha1.FineTuneJob;
import io.kubetune.api.v1alpha1.FineTuneJobRef;
import io.kubetune.api.v1alpha1.FineTuneJobSpec;
import io.kubetune.api.v1alpha1.JobState;
import io.kubetune.api.v1alpha1.MethodType;
import io.kubetune.api.v1alpha1.ModelSource;
import io.kubetune.api.v1alpha1.Reasons;
import io.kubetune.api.v1alpha1.Stage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Whether the FineTuneJobs a job starts from (its fineTuneJobRefs) let it start: each must be in
 * the job's namespace, not lead back to the job, have succeeded and have written what the job
 * needs. Pure: the other jobs come from a lookup by name, so a table of cases tests it.
 */
public final class Dependencies {
    public static final String MODEL = "spec.model.fineTuneJobRef";
    public static final String REWARD_MODEL = "spec.rewardModel.fineTuneJobRef";
    public static final String ADAPTER = "spec.adapter.fineTuneJobRef";

    private Dependencies() {}

    /** What the job takes from the referenced job. */
    public enum Need {
        /** Its merged or fully trained model, to train or evaluate from. */
        MODEL,
        /** Its LoRA adapter, to evaluate. */
        ADAPTER,
        /** Its model, with the score head of stage rm. */
        REWARD_MODEL
    }

    /**
     * One reference of the job.
     *
     * @param field the spec field, named in messages (spec.model.fineTuneJobRef)
     * @param policy for a reward model, the job's own spec.model: an rm job that wrote only an
     *     adapter is applied to it, so it must have trained on the same model; else null
     */
    public record Ref(String field, FineTuneJobRef ref, Need need, ModelSource policy) {
        public Ref(String field, FineTuneJobRef ref, Need need) {
            this(field, ref, need, null);
        }
    }

    /**
     * A reference that can be used: the URI of what the job takes, and the job it comes from.
     *
     * @param adapterUri the LoRA adapter to fold into the model at {@code uri} first, when the job
     *     starts from a LoRA job that wrote no merged model (its base plus its adapter); else null
     */
    public record Resolved(String uri, FineTuneJob from, String adapterUri) {
        public Resolved(String uri, FineTuneJob from) {
            this(uri, from, null);
        }

        /** Writes this model into a job file's spec.model: its URI, the adapter to fold in. */
        public void writeModel(ModelSource model) {
            model.uri = uri;
            model.fineTuneJobRef = null;
            if (adapterUri != null) {
                model.adapter = new AdapterSource();
                model.adapter.uri = adapterUri;
            }
        }

        /**
         * The Secret the dependency read its base with (a gated hub model), needed again to start
         * from that base plus its adapter; empty otherwise.
         */
        public Optional<String> baseSecret() {
            ModelSource base = from.getSpec().model;
            return adapterUri == null || base.uri == null || base.secretRef == null
                    ? Optional.empty()
                    : Optional.ofNullable(base.secretRef.name);
        }
    }

    /** The references resolved (by field), or the preparation that keeps the job from starting. */
    public record Check(Map<String, Resolved> resolved, Preparation blocked) {
        public boolean ready() {
            return blocked == null;
        }
    }

    /**
     * As {@link #check(String, String, List, Function)}, for a launch of attempt 2 or later: the
     * job file of attempt 1 already holds the dependencies' URIs, so a dependency deleted or
     * changed since then keeps no new attempt from resuming.
     */
    public static Check checkLaterAttempt(
            String namespace, String name, List<Ref> refs, Function<String, FineTuneJob> lookup) {
        Check check = check(namespace, name, refs, lookup);
        return check.ready() ? check : new Check(Map.of(), null);
    }

    /**
     * @param namespace the job's namespace
     * @param name the job's name when it is a FineTuneJob (a chain that leads back to it is a
     *     cycle); null for other kinds, which no FineTuneJob references
     * @param lookup a FineTuneJob of the namespace by name, or null when there is none
     */
    public static Check check(
            String namespace, String name, List<Ref> refs, Function<String, FineTuneJob> lookup) {
        Map<String, Resolved> resolved = new LinkedHashMap<>();
        Preparation waiting = null;
        for (Ref r : refs) {
            Outcome o = one(namespace, name, r, lookup);
            if (o.failed() != null) {
                return new Check(Map.of(), o.failed());
            }
            if (o.waiting() != null && waiting == null) {
                waiting = o.waiting();
            }
            if (o.resolved() != null) {
                resolved.put(r.field(), o.resolved());
            }
        }
        return waiting != null ? new Check(Map.of(), waiting) : new Check(resolved, null);
    }

    /** The references a FineTuneJob's spec makes. */
    public static List<Ref> of(FineTuneJobSpec spec) {
        List<Ref> refs = new ArrayList<>();
        if (spec.model != null && spec.model.fineTuneJobRef != null) {
            refs.add(new Ref(MODEL, spec.model.fineTuneJobRef, Need.MODEL));
        }
        if (spec.rewardModel != null && spec.rewardModel.fineTuneJobRef != null) {
            refs.add(
                    new Ref(
                            REWARD_MODEL,
                            spec.rewardModel.fineTuneJobRef,
                            Need.REWARD_MODEL,
                            spec.model));
        }
        return refs;
    }

    record Outcome(Resolved resolved, Preparation waiting, Preparation failed) {}

    private static Outcome one(
            String namespace, String name, Ref r, Function<String, FineTuneJob> lookup) {
        String dep = r.ref().name;
        String ns = r.ref().namespace;
        if (ns != null && !ns.equals(namespace)) {
            return failed(
                    Reasons.INVALID_SPEC,
                    r.field()
                            + ".namespace: "
                            + ns
                            + " is not this job's namespace ("
                            + namespace
                            + "); a job starts only from FineTuneJobs of its own namespace: remove"
                            + " the namespace, or copy that job's output URI into the uri field");
        }
        Optional<List<String>> cycle =
                name == null ? Optional.empty() : DependencyCycle.find(name, dep, lookup);
        if (cycle.isPresent()) {
            return failed(
                    Reasons.INVALID_SPEC,
                    r.field()
                            + ": "
                            + String.join(" -> ", cycle.get())
                            + " is a cycle: no job of it can start; remove one of the references");
        }
        FineTuneJob job = lookup.apply(dep);
        if (job == null) {
            return waiting(
                    r.field()
                            + ": waiting for FineTuneJob "
                            + dep
                            + ", which does not exist (yet)");
        }
        String unusable = unusable(r, job);
        if (unusable != null) {
            return failed(Reasons.INVALID_SPEC, unusable);
        }
        if (rewardAdapter(r, job)) {
            Outcome misfit = LoraRewardModel.check(r.field(), job, r.policy(), lookup);
            if (misfit != null) {
                return misfit;
            }
        }
        JobState state = job.getStatus() == null ? null : job.getStatus().state;
        if (state == JobState.Failed) {
            String why = job.getStatus().message == null ? "" : ": " + job.getStatus().message;
            return failed(
                    Reasons.DEPENDENCY_FAILED,
                    r.field() + ": FineTuneJob " + dep + " failed" + why);
        }
        if (r.need() == Need.MODEL && adapter(job.getSpec()) && !mergesModel(job.getSpec())) {
            Outcome fromAdapter = BasePlusAdapter.resolve(r.field(), job, lookup);
            if (fromAdapter != null) {
                return fromAdapter;
            }
        }
        String uri = uri(r, job);
        if (uri != null) {
            return new Outcome(new Resolved(uri, job), null, null);
        }
        if (state == JobState.Succeeded) {
            return failed(
                    Reasons.DEPENDENCY_FAILED,
                    r.field()
                            + ": FineTuneJob "
                            + dep
                            + " succeeded without writing "
                            + (writesAdapter(r, job) ? "an adapter" : "a model")
                            + " (status."
                            + (writesAdapter(r, job) ? "adapterUri" : "mergedModelUri")
                            + " is empty)");
        }
        return waiting(
                r.field()
                        + ": waiting for FineTuneJob "
                        + dep
                        + " ("
                        + (state == null ? "not started" : state)
                        + ") to succeed");
    }

    /** Why the job can never give what is needed, whatever its state; null when it can. */
    private static String unusable(Ref r, FineTuneJob job) {
        FineTuneJobSpec spec = job.getSpec();
        String dep = "FineTuneJob " + job.getMetadata().getName();
        if (r.need() == Need.REWARD_MODEL && spec.stage != Stage.RM) {
            return r.field()
                    + ": "
                    + dep
                    + " has stage "
                    + Objects.toString(spec.stage, "sft").toLowerCase(java.util.Locale.ROOT)
                    + ", so its model has no score head; name a FineTuneJob of stage rm";
        }
        if (r.need() == Need.ADAPTER && !adapter(spec)) {
            return r.field()
                    + ": "
                    + dep
                    + " trains all weights (method "
                    + method(spec)
                    + "), so it writes no adapter; use its model (spec.model.fineTuneJobRef)";
        }
        if (r.need() != Need.ADAPTER
                && spec.method != null
                && spec.method.type != null
                && spec.method.type.promptLearning()) {
            return r.field()
                    + ": "
                    + dep
                    + " trains a "
                    + method(spec)
                    + " adapter (virtual tokens), which cannot be merged into a model to start"
                    + " from; train it with method lora, or start from its spec.model";
        }
        return null;
    }

    /** Whether what the job takes from {@code job} is an adapter (base plus adapter included). */
    private static boolean writesAdapter(Ref r, FineTuneJob job) {
        return r.need() == Need.ADAPTER || (adapter(job.getSpec()) && !mergesModel(job.getSpec()));
    }

    /**
     * An rm job's LoRA adapter as the reward model: the trainer applies it to the policy's base.
     */
    private static boolean rewardAdapter(Ref r, FineTuneJob job) {
        return r.need() == Need.REWARD_MODEL
                && adapter(job.getSpec())
                && !mergesModel(job.getSpec());
    }

    private static String uri(Ref r, FineTuneJob job) {
        return job.getStatus() == null
                ? null
                : r.need() == Need.ADAPTER || rewardAdapter(r, job)
                        ? job.getStatus().adapterUri
                        : job.getStatus().mergedModelUri;
    }

    static boolean adapter(FineTuneJobSpec spec) {
        return spec.method == null
                || spec.method.type == null
                || spec.method.type == MethodType.LORA;
    }

    static boolean mergesModel(FineTuneJobSpec spec) {
        return spec.output != null && Boolean.TRUE.equals(spec.output.mergeModel);
    }

    private static String method(FineTuneJobSpec spec) {
        return spec.method.type.name().toLowerCase(java.util.Locale.ROOT);
    }

    private static Outcome waiting(String message) {
        return new Outcome(
                null, Preparation.waiting(Reasons.WAITING_FOR_DEPENDENCY, message), null);
    }

    static Outcome failed(String reason, String message) {
        return new Outcome(null, null, Preparation.failed(reason, message));
    }
}
