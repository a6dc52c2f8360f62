package io.kubetune.operator.reconciler;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.retry.GradualRetry;
import io.kubetune.api.v1alpha1.AdapterSource;
import io.kubetune.api.v1alpha1.EvalJob;
import io.kubetune.api.v1alpha1.EvalJobStatus;
import io.kubetune.api.v1alpha1.EvalTrackingSpec;
import io.kubetune.api.v1alpha1.FineTuneJob;
import io.kubetune.operator.config.OperatorSettings;
import io.kubetune.operator.desired.EvalAfterTraining;
import io.kubetune.operator.lifecycle.AttemptOutcome;
import io.kubetune.operator.lifecycle.Dependencies;
import io.kubetune.operator.lifecycle.Dependencies.Need;
import io.kubetune.operator.lifecycle.Dependencies.Ref;
import io.kubetune.operator.lifecycle.Dependencies.Resolved;
import io.kubetune.operator.lifecycle.Preparation;
import io.kubetune.operator.metrics.OperatorMetrics;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Runs {@code eval} for an EvalJob. A model or adapter given as a fineTuneJobRef is resolved to
 * that job's status.mergedModelUri or status.adapterUri (and, unless spec.tracking is set, its
 * MLflow run) before the job file is written, so the trainer only sees URIs; until then the EvalJob
 * waits ({@link Dependencies}).
 */
// a singleton, not application-scoped: no client proxy, so the constructor can take its settings
@Singleton
@GradualRetry(
        maxAttempts = -1,
        initialInterval = 1000,
        intervalMultiplier = 2,
        maxInterval = 60_000)
@ControllerConfiguration(name = "evaljob")
public class EvalJobReconciler extends TrainerRunReconciler<EvalJob, EvalJobStatus> {

    /** Status fields the trainer writes with its own field manager. */
    static final Set<String> TRAINER_FIELDS = Set.of("results", "task", "score");

    private final DependencyWatch<EvalJob> dependencies =
            new DependencyWatch<>(EvalJobReconciler::refs);

    @Inject
    public EvalJobReconciler(OperatorSettings settings, OperatorMetrics metrics) {
        super(settings, metrics, EvalJob.class, EvalJobStatus.class, TRAINER_FIELDS, "eval");
    }

    /** The FineTuneJobs an EvalJob takes its model or adapter from. */
    static List<Ref> refs(EvalJob ej) {
        List<Ref> refs = new ArrayList<>();
        if (ej.getSpec().model != null && ej.getSpec().model.fineTuneJobRef != null) {
            refs.add(new Ref(Dependencies.MODEL, ej.getSpec().model.fineTuneJobRef, Need.MODEL));
        }
        AdapterSource adapter = ej.getSpec().adapter;
        if (adapter != null && adapter.fineTuneJobRef != null) {
            refs.add(new Ref(Dependencies.ADAPTER, adapter.fineTuneJobRef, Need.ADAPTER));
        }
        return refs;
    }

    @Override
    protected List<EventSource<?, EvalJob>> moreEventSources(EventSourceContext<EvalJob> context) {
        return List.of(dependencies.eventSource(context));
    }

    @Override
    protected Preparation prepare(EvalJob ej, Context<EvalJob> context) {
        Dependencies.Check deps = dependencies.check(ej, null, started(ej), context.getClient());
        if (!deps.ready()) {
            return deps.blocked();
        }
        List<String> secrets = new ArrayList<>();
        secretName(ej.getSpec().model.secretRef).ifPresent(secrets::add);
        AdapterSource adapter = ej.getSpec().adapter;
        EvalJob file = ej;
        if (!deps.resolved().isEmpty()) {
            // the trainer only sees URIs: the job file gets the dependencies' outputs
            file = Serialization.jsonMapper().convertValue(ej, EvalJob.class);
        }
        Resolved model = deps.resolved().get(Dependencies.MODEL);
        if (model != null) {
            model.writeModel(file.getSpec().model);
            if (ej.getSpec().model.secretRef == null) {
                outputSecret(model).ifPresent(secrets::add);
            }
            model.baseSecret().ifPresent(secrets::add);
        }
        Resolved fromJob = deps.resolved().get(Dependencies.ADAPTER);
        if (fromJob != null) {
            FineTuneJob ftj = fromJob.from();
            file.getSpec().adapter.uri = fromJob.uri();
            file.getSpec().adapter.fineTuneJobRef = null;
            if (file.getSpec().tracking == null) {
                file.getSpec().tracking = EvalAfterTraining.tracking(ftj, ftj.getStatus().mlflow);
            }
            if (adapter.secretRef == null) {
                outputSecret(fromJob).ifPresent(secrets::add);
            }
        }
        if (adapter != null) {
            secretName(adapter.secretRef).ifPresent(secrets::add);
        }
        if (ej.getSpec().output != null) {
            secretName(ej.getSpec().output.secretRef).ifPresent(secrets::add);
        }
        EvalTrackingSpec tracking = file.getSpec().tracking;
        return Preparation.ready(
                file,
                secrets.stream().distinct().toList(),
                tracking == null || tracking.mlflow == null
                        ? null
                        : secretName(tracking.mlflow.secretRef).orElse(null));
    }

    @Override
    protected Optional<Duration> onTrainerSucceeded(
            EvalJob ej,
            AttemptOutcome outcome,
            Step<EvalJobStatus> step,
            Context<EvalJob> context) {
        step.to().succeeded("evaluation finished");
        return Optional.empty();
    }
}
