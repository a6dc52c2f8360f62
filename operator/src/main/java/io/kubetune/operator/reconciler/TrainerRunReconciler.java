package io.kubetune.operator.reconciler;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.CustomResource;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
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
import io.kubetune.operator.desired.Labels;
import io.kubetune.operator.lifecycle.Action;
import io.kubetune.operator.lifecycle.AttemptOutcome;
import io.kubetune.operator.lifecycle.Attempts;
import io.kubetune.operator.lifecycle.Decider;
import io.kubetune.operator.lifecycle.Decision;
import io.kubetune.operator.lifecycle.Observation;
import io.kubetune.operator.lifecycle.Preparation;
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
 * The reconcile loop both kinds share: observe (the status, the owned Jobs and pods), decide
 * ({@link Decider}, pure), carry out ({@link ActionExecutor}), write the status, record events and
 * metrics. Subclasses say what the trainer runs, what it needs first and what success means.
 *
 * <p>A failing API call (quota, admission, RBAC, a conflict, an object the job does not own) sets
 * the condition Reconciled False with a reason and a Warning event; JOSDK retries with backoff (the
 * reconcilers' {@code @GradualRetry}) until it goes through.
 */
public abstract class TrainerRunReconciler<
                P extends CustomResource<? extends RunSpec, T>, T extends JobStatus>
        implements Reconciler<P> {
    private static final Logger LOG = Logger.getLogger(TrainerRunReconciler.class);

    protected final OperatorSettings settings;
    protected final OperatorMetrics metrics;
    private final StatusPatcher patcher;
    private final Class<P> type;
    private final Class<T> statusType;
    private final ActionExecutor executor;
    private volatile InformerEventSource<Job, P> jobs;

    protected TrainerRunReconciler(
            OperatorSettings settings,
            OperatorMetrics metrics,
            Class<P> type,
            Class<T> statusType,
            Set<String> trainerFields,
            String command) {
        this.settings = settings;
        this.metrics = metrics;
        this.type = type;
        this.statusType = statusType;
        this.patcher = new StatusPatcher(trainerFields);
        this.executor = new ActionExecutor(settings, metrics, kind(), command, this::remember);
    }

    /** The job file resource and Secrets, or why the first attempt must wait or cannot start. */
    protected abstract Preparation prepare(P primary, Context<P> context);

    /** The trainer finished: set the status (and start what follows); when to look again. */
    protected abstract Optional<Duration> onTrainerSucceeded(
            P primary, AttemptOutcome outcome, Step<T> step, Context<P> context);

    /** Event sources beyond the Jobs and pods. */
    protected List<EventSource<?, P>> moreEventSources(EventSourceContext<P> context) {
        return List.of();
    }

    protected String kind() {
        return HasMetadata.getKind(type).toLowerCase(java.util.Locale.ROOT);
    }

    /** What a kind's success step works on: the status and its transitions. */
    public record Step<T extends JobStatus>(T status, Transitions to) {}

    @Override
    public List<EventSource<?, P>> prepareEventSources(EventSourceContext<P> context) {
        List<EventSource<?, P>> sources = new ArrayList<>();
        jobs = informer(context, Job.class);
        sources.add(jobs);
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

    /**
     * Puts a Job just created into the Jobs' cache: the next reconcile sees it even before its
     * watch event arrives (else it would create the attempt again: five refused creates and five
     * reads), and that event, which tells nothing new, triggers no reconcile of its own.
     */
    private void remember(Job created) {
        InformerEventSource<Job, P> cache = jobs;
        if (cache != null) {
            cache.handleRecentResourceCreate(ResourceID.fromResource(created), created);
        }
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
        Observation seen = observe(primary, context);
        Decision d = Decider.decide(seen);
        Preparation prep = null;
        if (d.action() instanceof Action.Launch) {
            prep = prepareWithinPolicy(primary, context);
            d = Decider.prepared(seen, d, prep);
        }
        executor.carryOut(
                context.getClient(),
                primary,
                primary.getSpec(),
                d,
                current(seen),
                seen.pods(),
                prep);
        if (d.action() instanceof Action.DeleteAfterTtl) {
            patcher.forget(primary);
            metrics.state(kind(), ResourceID.fromResource(primary), null);
            return UpdateControl.noUpdate();
        }
        @SuppressWarnings("unchecked")
        T status = (T) d.status();
        Transitions to = transitions(primary, status);
        Optional<Duration> next = d.requeueAfter();
        if (d.action() instanceof Action.Succeed s) {
            next = onTrainerSucceeded(primary, s.outcome(), new Step<>(status, to), context);
        }
        to.reconciled();
        if (patcher.patchIfChanged(context.getClient(), primary, status)) {
            executor.warn(context.getClient(), primary, d.warnings());
        }
        metrics.state(kind(), ResourceID.fromResource(primary), status.state);
        UpdateControl<P> control = UpdateControl.noUpdate();
        return next.map(control::rescheduleAfter).orElse(control);
    }

    private Observation observe(P primary, Context<P> context) {
        T status = patcher.freshest(primary, statusType);
        status.observedGeneration = primary.getMetadata().getGeneration();
        return new Observation(
                primary,
                primary.getSpec(),
                status,
                context.getSecondaryResources(Job.class).stream().toList(),
                context.getSecondaryResources(Pod.class).stream().toList(),
                Instant.now(),
                settings.resyncInterval());
    }

    private static Job current(Observation seen) {
        return seen.jobs().stream().max(Comparator.comparingInt(Attempts::attempt)).orElse(null);
    }

    /**
     * The kind's preparation, unless the operator's policy refuses the spec's image or placement.
     */
    private Preparation prepareWithinPolicy(P primary, Context<P> context) {
        return settings.policy()
                .violation(primary.getSpec())
                .map(why -> Preparation.failed(Reasons.INVALID_SPEC, why))
                .orElseGet(() -> prepare(primary, context));
    }

    /**
     * A reconcile failed on an API call: the condition Reconciled says why (reason, the server's
     * message) with a Warning event when that changed; JOSDK retries with backoff.
     */
    @Override
    public ErrorStatusUpdateControl<P> updateErrorStatus(
            P primary, Context<P> context, Exception e) {
        ApiErrors.ApiError error = ApiErrors.classify(e);
        LOG.warnf(
                "%s %s/%s: %s: %s",
                kind(),
                primary.getMetadata().getNamespace(),
                primary.getMetadata().getName(),
                error.reason(),
                error.message());
        try {
            T status = patcher.freshest(primary, statusType);
            transitions(primary, status).notReconciled(error.reason(), error.message());
            if (patcher.patchIfChanged(context.getClient(), primary, status)) {
                Events.warning(context.getClient(), primary, error.reason(), error.message());
            }
        } catch (RuntimeException again) {
            // the status itself cannot be written (e.g. no permission on it): the log says why
            LOG.warnf("could not write the error status: %s", again.getMessage());
        }
        return ErrorStatusUpdateControl.noStatusUpdate();
    }

    private static Transitions transitions(HasMetadata primary, JobStatus status) {
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        return new Transitions(status, primary.getMetadata().getGeneration(), now);
    }

    /** Whether an attempt of the job was launched before. */
    protected static boolean started(CustomResource<?, ? extends JobStatus> job) {
        JobStatus st = job.getStatus();
        return st != null && st.attempts != null && st.attempts > 0;
    }

    /** The Secret a dependency wrote its output with: the one to read that output with. */
    protected static Optional<String> outputSecret(
            io.kubetune.operator.lifecycle.Dependencies.Resolved dep) {
        return dep.from().getSpec().output == null
                ? Optional.empty()
                : secretName(dep.from().getSpec().output.secretRef);
    }

    protected static Optional<String> secretName(io.kubetune.api.v1alpha1.SecretReference ref) {
        return ref == null || ref.name == null ? Optional.empty() : Optional.of(ref.name);
    }
}
