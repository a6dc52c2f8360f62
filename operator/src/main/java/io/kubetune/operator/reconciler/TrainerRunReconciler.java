package io.kubetune.operator.reconciler;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.kubetune.api.v1alpha1.JobStatus;
import io.kubetune.api.v1alpha1.Reasons;
import io.kubetune.api.v1alpha1.RunSpec;
import io.kubetune.operator.config.OperatorSettings;
import io.kubetune.operator.desired.JobFileConfigMap;
import io.kubetune.operator.desired.Labels;
import io.kubetune.operator.desired.Names;
import io.kubetune.operator.desired.TrainerJobBuilder;
import io.kubetune.operator.desired.TrainerJobRequest;
import io.kubetune.operator.desired.TrainerRbac;
import io.kubetune.operator.lifecycle.AttemptClassifier;
import io.kubetune.operator.lifecycle.AttemptOutcome;
import io.kubetune.operator.lifecycle.AttemptOutcome.Phase;
import io.kubetune.operator.metrics.OperatorMetrics;
import io.kubetune.operator.status.StatusPatcher;
import io.kubetune.operator.status.Transitions;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * The lifecycle both kinds share: one Job per attempt, its pod classified, resumable failures
 * retried as new attempts up to spec.backoffLimit, suspend and resume, the deadline across attempts
 * and the TTL after the end. Subclasses say what the trainer runs and what success means.
 *
 * <p>Each finished Job is annotated with {@value #OUTCOME} (its reason) before anything follows
 * from it: pods go away, the annotation stays, so retries are counted the same after a restart.
 */
public abstract class TrainerRunReconciler<
                P extends CustomResource<? extends RunSpec, T>, T extends JobStatus>
        implements Reconciler<P> {
    private static final Logger LOG = Logger.getLogger(TrainerRunReconciler.class);

    /** Job annotation: why the attempt ended. */
    public static final String OUTCOME = "kubetune.io/outcome";

    private static final Set<String> RESUMABLE_REASONS =
            Set.of(
                    Reasons.EVICTED,
                    Reasons.PREEMPTED,
                    io.kubetune.operator.lifecycle.OperatorReasons.TRAINER_INTERRUPTED,
                    io.kubetune.operator.lifecycle.OperatorReasons.POD_KILLED,
                    io.kubetune.operator.lifecycle.OperatorReasons.NODE_LOST);

    /** What {@code ttl} returns once it deleted the resource: nothing more to write. */
    private static final Duration DELETED = Duration.ofNanos(-1);

    protected final OperatorSettings settings;
    protected final OperatorMetrics metrics;
    private final StatusPatcher patcher;
    private final Class<P> type;
    private final Class<T> statusType;

    protected TrainerRunReconciler(
            OperatorSettings settings,
            OperatorMetrics metrics,
            Class<P> type,
            Class<T> statusType,
            Set<String> trainerFields) {
        this.settings = settings;
        this.metrics = metrics;
        this.type = type;
        this.statusType = statusType;
        this.patcher = new StatusPatcher(trainerFields);
    }

    /** The trainer sub-command. */
    protected abstract String command();

    /** The job file resource and Secrets, or why the first attempt must wait or cannot start. */
    protected abstract Preparation prepare(P primary, Context<P> context);

    /** The trainer finished: set the status (and start what follows); the next look, or null. */
    protected abstract Duration onTrainerSucceeded(
            P primary, AttemptOutcome outcome, Step<T> step, Context<P> context);

    /** Event sources beyond the Jobs and pods. */
    protected List<EventSource<?, P>> moreEventSources(EventSourceContext<P> context) {
        return List.of();
    }

    protected String kind() {
        return HasMetadata.getKind(type).toLowerCase(java.util.Locale.ROOT);
    }

    /** What one reconcile works on: the status being built and what to do once it is written. */
    public record Step<T extends JobStatus>(T status, Transitions to, List<Runnable> events) {}

    @Override
    public List<EventSource<?, P>> prepareEventSources(EventSourceContext<P> context) {
        List<EventSource<?, P>> sources = new ArrayList<>();
        sources.add(informer(context, Job.class));
        sources.add(informer(context, Pod.class));
        sources.addAll(moreEventSources(context));
        return sources;
    }

    private <R extends HasMetadata> InformerEventSource<R, P> informer(
            EventSourceContext<P> context, Class<R> secondary) {
        return new InformerEventSource<>(
                InformerEventSourceConfiguration.from(secondary, type)
                        .withLabelSelector(Labels.selectorFor(kind()))
                        .withSecondaryToPrimaryMapper(byOwnerName())
                        .withNamespacesInheritedFromController()
                        .build(),
                context);
    }

    /** Maps a child to its job by the owner-name annotation that every child carries. */
    protected static <R extends HasMetadata> SecondaryToPrimaryMapper<R> byOwnerName() {
        return r -> {
            Map<String, String> a = r.getMetadata().getAnnotations();
            String owner = a == null ? null : a.get(Labels.OWNER_NAME);
            return owner == null
                    ? Set.of()
                    : Set.of(new ResourceID(owner, r.getMetadata().getNamespace()));
        };
    }

    @Override
    public UpdateControl<P> reconcile(P primary, Context<P> context) {
        return metrics.timeReconcile(kind(), () -> reconcileTimed(primary, context));
    }

    private UpdateControl<P> reconcileTimed(P primary, Context<P> context) {
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        T status = patcher.freshest(primary, statusType);
        status.observedGeneration = primary.getMetadata().getGeneration();
        Step<T> step =
                new Step<>(
                        status,
                        new Transitions(status, primary.getMetadata().getGeneration(), now),
                        new ArrayList<>());
        Duration next = lifecycle(primary, context, step);
        if (next == DELETED) {
            patcher.forget(primary);
            metrics.state(kind(), ResourceID.fromResource(primary), null);
            return UpdateControl.noUpdate();
        }
        if (patcher.patchIfChanged(context.getClient(), primary, status)) {
            step.events().forEach(Runnable::run);
        }
        metrics.state(kind(), ResourceID.fromResource(primary), status.state);
        UpdateControl<P> control = UpdateControl.noUpdate();
        return next == null ? control : control.rescheduleAfter(next);
    }

    private Duration lifecycle(P primary, Context<P> context, Step<T> step) {
        T st = step.status();
        KubernetesClient client = context.getClient();
        RunSpec run = primary.getSpec();
        if (Transitions.terminal(st.state)) {
            return ttl(primary, client, st);
        }
        List<Job> jobs =
                context.getSecondaryResources(Job.class).stream()
                        .sorted(Comparator.comparingInt(TrainerRunReconciler::attempt))
                        .toList();
        int attempts = jobs.isEmpty() ? 0 : attempt(jobs.get(jobs.size() - 1));
        if (attempts > 0) {
            st.attempts = Math.max(attempts, st.attempts == null ? 0 : st.attempts);
            if (st.startTime == null) {
                st.startTime = jobs.get(0).getMetadata().getCreationTimestamp();
            }
        }
        Job current = jobs.isEmpty() ? null : jobs.get(jobs.size() - 1);
        Duration left = deadlineLeft(run, st);
        if (left != null && left.isNegative()) {
            if (current != null) {
                stopAttempt(client, current, context);
            }
            fail(
                    primary,
                    client,
                    step,
                    Reasons.DEADLINE_EXCEEDED,
                    "the job ran longer than spec.activeDeadlineSeconds ("
                            + run.activeDeadlineSeconds
                            + " s) across its attempts");
            return ttl(primary, client, st);
        }
        boolean suspend = Boolean.TRUE.equals(run.suspend);
        if (current == null) {
            if (suspend) {
                step.to().suspended("suspended before it started (spec.suspend)");
                return null;
            }
            return startAttempt(primary, context, step, 1, left, null);
        }
        AttemptOutcome outcome = outcomeOf(current, context);
        if (outcome.finished() && annotation(current) == null) {
            annotate(client, current, outcome.reason());
        }
        switch (outcome.phase()) {
            case PENDING, RUNNING -> {
                if (suspend) {
                    stop(client, current, context);
                    step.to()
                            .suspended(
                                    "suspending: the trainer writes a checkpoint and stops (spec.suspend)");
                    return settings.resyncInterval();
                }
                if (outcome.phase() == Phase.RUNNING) {
                    step.to().running("attempt " + attempts + ": " + outcome.message());
                } else if (Reasons.AWAITING_ADMISSION.equals(outcome.reason())) {
                    step.to().awaitingAdmission(outcome.message());
                } else {
                    step.to().pending(outcome.reason(), outcome.message());
                    if (Reasons.UNSCHEDULABLE.equals(outcome.reason())) {
                        warnOnChange(client, primary, step, outcome);
                    }
                }
                return shorter(settings.resyncInterval(), left);
            }
            case SUCCEEDED -> {
                return onTrainerSucceeded(primary, outcome, step, context);
            }
            case FAILED -> {
                stopAttempt(client, current, context);
                fail(primary, client, step, outcome.reason(), outcome.message());
                return ttl(primary, client, st);
            }
            default -> {
                // RESUMABLE or SUSPENDED: the attempt is over and can be resumed
                if (suspend) {
                    step.to().suspended("suspended after attempt " + attempts + " (spec.suspend)");
                    return null;
                }
                if (outcome.phase() == Phase.RESUMABLE) {
                    long retries = jobs.stream().filter(this::endedResumable).count();
                    if (annotation(current) == null) {
                        retries++; // the annotation just written is not in the cache yet
                    }
                    int limit = run.backoffLimit == null ? 3 : run.backoffLimit;
                    if (retries > limit) {
                        fail(
                                primary,
                                client,
                                step,
                                Reasons.BACKOFF_LIMIT_EXCEEDED,
                                "attempt "
                                        + attempts
                                        + " ended ("
                                        + outcome.reason()
                                        + ": "
                                        + outcome.message()
                                        + ") and spec.backoffLimit ("
                                        + limit
                                        + ") resumed attempts were used");
                        return ttl(primary, client, st);
                    }
                    metrics.retried(kind(), outcome.reason());
                    step.events()
                            .add(
                                    () ->
                                            Events.warning(
                                                    client,
                                                    primary,
                                                    outcome.reason(),
                                                    "attempt "
                                                            + attempts
                                                            + " ended: "
                                                            + outcome.message()
                                                            + "; attempt "
                                                            + (attempts + 1)
                                                            + " resumes from the last checkpoint"));
                }
                stopAttempt(client, current, context);
                return startAttempt(primary, context, step, attempts + 1, left, outcome);
            }
        }
    }

    private Duration startAttempt(
            P primary,
            Context<P> context,
            Step<T> step,
            int attempt,
            Duration left,
            AttemptOutcome after) {
        Preparation prep = prepare(primary, context);
        if (prep.failReason() != null) {
            fail(primary, context.getClient(), step, prep.failReason(), prep.message());
            return null;
        }
        if (prep.waitReason() != null) {
            step.to().pending(prep.waitReason(), prep.message());
            return settings.resyncInterval();
        }
        KubernetesClient client = context.getClient();
        RunSpec run = primary.getSpec();
        CreateOnly.create(client, JobFileConfigMap.build(prep.jobFile()));
        CreateOnly.create(client, TrainerRbac.serviceAccount(primary));
        CreateOnly.create(client, TrainerRbac.role(primary));
        CreateOnly.create(client, TrainerRbac.roleBinding(primary));
        int gpus = run.resources == null || run.resources.gpus == null ? 0 : run.resources.gpus;
        String image =
                run.image != null && !run.image.isBlank() ? run.image : settings.imageFor(gpus);
        Long deadline = left == null ? null : Math.max(1, left.toSeconds());
        Job job =
                TrainerJobBuilder.build(
                        new TrainerJobRequest(
                                primary,
                                run,
                                command(),
                                prep.secretNames(),
                                attempt,
                                image,
                                deadline));
        if (CreateOnly.create(client, job)) {
            LOG.infof(
                    "%s %s/%s: created Job %s (attempt %d)",
                    kind(),
                    primary.getMetadata().getNamespace(),
                    primary.getMetadata().getName(),
                    job.getMetadata().getName(),
                    attempt);
        }
        T st = step.status();
        st.attempts = Math.max(attempt, st.attempts == null ? 0 : st.attempts);
        if (st.startTime == null) {
            st.startTime = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        }
        if (after == null) {
            step.to()
                    .pending(
                            Reasons.JOB_CREATED, "Job " + job.getMetadata().getName() + " created");
        } else {
            step.to()
                    .pending(
                            Reasons.RESUMING,
                            "attempt "
                                    + attempt
                                    + " resumes from the last checkpoint after "
                                    + after.reason()
                                    + ": "
                                    + after.message());
        }
        return shorter(settings.resyncInterval(), left);
    }

    /** Fails the job, with a Warning event once. */
    protected void fail(
            P primary, KubernetesClient client, Step<T> step, String reason, String message) {
        step.to().failed(reason, message);
        step.events().add(() -> Events.warning(client, primary, reason, message));
    }

    private void warnOnChange(KubernetesClient client, P primary, Step<T> step, AttemptOutcome o) {
        T old = primary.getStatus();
        if (old == null || !java.util.Objects.equals(old.message, o.message())) {
            step.events().add(() -> Events.warning(client, primary, o.reason(), o.message()));
        }
    }

    private AttemptOutcome outcomeOf(Job job, Context<P> context) {
        if (Reasons.SUSPENDED_BY_USER.equals(annotation(job))) {
            return new AttemptOutcome(
                    Phase.SUSPENDED, Reasons.SUSPENDED_BY_USER, "suspended", null);
        }
        String uid = job.getMetadata().getUid();
        List<Pod> pods =
                context.getSecondaryResources(Pod.class).stream()
                        .filter(
                                p ->
                                        p.getMetadata().getOwnerReferences().stream()
                                                .anyMatch(o -> uid.equals(o.getUid())))
                        .toList();
        return AttemptClassifier.classify(job, pods);
    }

    private boolean endedResumable(Job job) {
        String reason = annotation(job);
        return reason != null && RESUMABLE_REASONS.contains(reason);
    }

    /** Stops an attempt for suspend: marks the Job, then deletes its pod gracefully (SIGTERM). */
    private void stop(KubernetesClient client, Job job, Context<P> context) {
        if (annotation(job) == null) {
            annotate(client, job, Reasons.SUSPENDED_BY_USER);
        }
        stopAttempt(client, job, context);
    }

    /**
     * Ends an attempt that may still run: deletes its pods that have not ended (gracefully: the
     * trainer checkpoints on SIGTERM); the Job then fails (backoffLimit 0) and stays as the
     * attempt's record. A Job that Kueue still holds suspended is deleted instead, so that Kueue
     * cannot start it later.
     */
    private void stopAttempt(KubernetesClient client, Job job, Context<P> context) {
        if (job.getSpec() != null && Boolean.TRUE.equals(job.getSpec().getSuspend())) {
            deleteIfActive(client, job);
            return;
        }
        String uid = job.getMetadata().getUid();
        context.getSecondaryResources(Pod.class).stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                .filter(p -> !terminal(p))
                .filter(
                        p ->
                                p.getMetadata().getOwnerReferences().stream()
                                        .anyMatch(o -> uid.equals(o.getUid())))
                .forEach(p -> client.pods().resource(p).delete());
    }

    private static boolean terminal(Pod p) {
        String phase = p.getStatus() == null ? null : p.getStatus().getPhase();
        return "Succeeded".equals(phase) || "Failed".equals(phase);
    }

    private static void deleteIfActive(KubernetesClient client, Job job) {
        boolean finished =
                job.getStatus() != null
                        && job.getStatus().getConditions() != null
                        && job.getStatus().getConditions().stream()
                                .anyMatch(
                                        c ->
                                                ("Complete".equals(c.getType())
                                                                || "Failed".equals(c.getType()))
                                                        && "True".equals(c.getStatus()));
        if (!finished && job.getMetadata().getDeletionTimestamp() == null) {
            // background: the garbage collector deletes the pods (gracefully) after the Job
            client.resource(job)
                    .withPropagationPolicy(
                            io.fabric8.kubernetes.api.model.DeletionPropagation.BACKGROUND)
                    .delete();
        }
    }

    private static void annotate(KubernetesClient client, Job job, String reason) {
        try {
            client.batch()
                    .v1()
                    .jobs()
                    .inNamespace(job.getMetadata().getNamespace())
                    .withName(job.getMetadata().getName())
                    .patch(
                            PatchContext.of(PatchType.JSON_MERGE),
                            "{\"metadata\":{\"annotations\":{\""
                                    + OUTCOME
                                    + "\":\""
                                    + reason
                                    + "\"}}}");
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                throw e;
            }
        }
    }

    private static String annotation(Job job) {
        Map<String, String> a = job.getMetadata().getAnnotations();
        return a == null ? null : a.get(OUTCOME);
    }

    static int attempt(Job job) {
        String v =
                job.getMetadata().getLabels() == null
                        ? null
                        : job.getMetadata().getLabels().get(Labels.ATTEMPT);
        try {
            return v == null ? 0 : Integer.parseInt(v);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static Duration deadlineLeft(RunSpec run, JobStatus st) {
        if (run.activeDeadlineSeconds == null || st.startTime == null) {
            return null;
        }
        Instant end = Instant.parse(st.startTime).plusSeconds(run.activeDeadlineSeconds);
        return Duration.between(Instant.now(), end);
    }

    private static Duration shorter(Duration a, Duration b) {
        if (b == null) {
            return a;
        }
        Duration bb = b.isNegative() ? Duration.ofSeconds(1) : b.plusSeconds(1);
        return a.compareTo(bb) <= 0 ? a : bb;
    }

    /** After the end: deletes the resource once spec.ttlSecondsAfterFinished has passed. */
    private Duration ttl(P primary, KubernetesClient client, T st) {
        Long ttl = primary.getSpec().ttlSecondsAfterFinished;
        if (ttl == null || st.completionTime == null) {
            return null;
        }
        Duration left =
                Duration.between(Instant.now(), Instant.parse(st.completionTime).plusSeconds(ttl));
        if (!left.isNegative() && !left.isZero()) {
            return left.plusSeconds(1);
        }
        LOG.infof(
                "%s %s/%s: deleting, %d s after it finished (spec.ttlSecondsAfterFinished)",
                kind(), primary.getMetadata().getNamespace(), primary.getMetadata().getName(), ttl);
        client.resource(primary)
                .withPropagationPolicy(
                        io.fabric8.kubernetes.api.model.DeletionPropagation.BACKGROUND)
                .delete();
        return DELETED;
    }

    /** The name of the attempt's Job, for subclasses' messages. */
    protected static String jobName(HasMetadata owner, int attempt) {
        return Names.job(owner, attempt);
    }

    protected static Optional<String> secretName(io.kubetune.api.v1alpha1.SecretReference ref) {
        return ref == null || ref.name == null ? Optional.empty() : Optional.of(ref.name);
    }
}
