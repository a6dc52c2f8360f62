package io.kubetune.operator.reconciler;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.processing.retry.GradualRetry;
import io.kubetune.api.v1alpha1.AdapterSource;
import io.kubetune.api.v1alpha1.EvalJob;
import io.kubetune.api.v1alpha1.EvalJobStatus;
import io.kubetune.api.v1alpha1.EvalTrackingSpec;
import io.kubetune.api.v1alpha1.FineTuneJob;
import io.kubetune.api.v1alpha1.JobState;
import io.kubetune.api.v1alpha1.Reasons;
import io.kubetune.operator.config.OperatorSettings;
import io.kubetune.operator.desired.EvalAfterTraining;
import io.kubetune.operator.lifecycle.AttemptOutcome;
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
 * Runs {@code eval} for an EvalJob. An adapter given as adapter.fineTuneJobRef is resolved to that
 * job's status.adapterUri (and, unless spec.tracking is set, its MLflow run) before the job file is
 * written, so the trainer only sees URIs.
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

    /** Waiting for the referenced FineTuneJob's adapter. */
    public static final String AWAITING_ADAPTER = "AwaitingAdapter";

    @Inject
    public EvalJobReconciler(OperatorSettings settings, OperatorMetrics metrics) {
        super(settings, metrics, EvalJob.class, EvalJobStatus.class, TRAINER_FIELDS, "eval");
    }

    @Override
    protected Preparation prepare(EvalJob ej, Context<EvalJob> context) {
        List<String> secrets = new ArrayList<>();
        secretName(ej.getSpec().model.secretRef).ifPresent(secrets::add);
        AdapterSource adapter = ej.getSpec().adapter;
        EvalJob file = ej;
        if (adapter != null && adapter.fineTuneJobRef != null) {
            String ref = adapter.fineTuneJobRef.name;
            FineTuneJob ftj =
                    context.getClient()
                            .resources(FineTuneJob.class)
                            .inNamespace(ej.getMetadata().getNamespace())
                            .withName(ref)
                            .get();
            if (ftj == null) {
                return Preparation.waiting(
                        AWAITING_ADAPTER,
                        "spec.adapter.fineTuneJobRef: FineTuneJob "
                                + ref
                                + " does not exist (yet)");
            }
            if (ftj.getStatus() != null && ftj.getStatus().state == JobState.Failed) {
                return Preparation.failed(
                        Reasons.INVALID_SPEC,
                        "spec.adapter.fineTuneJobRef: FineTuneJob "
                                + ref
                                + " failed, so it has no adapter; point at another job or set"
                                + " spec.adapter.uri");
            }
            if (ftj.getStatus() == null || ftj.getStatus().adapterUri == null) {
                return Preparation.waiting(
                        AWAITING_ADAPTER,
                        "waiting for FineTuneJob " + ref + " to write its adapter");
            }
            file = Serialization.jsonMapper().convertValue(ej, EvalJob.class);
            file.getSpec().adapter.uri = ftj.getStatus().adapterUri;
            file.getSpec().adapter.fineTuneJobRef = null;
            if (file.getSpec().tracking == null) {
                file.getSpec().tracking = EvalAfterTraining.tracking(ftj, ftj.getStatus().mlflow);
            }
            if (adapter.secretRef == null) {
                secretName(ftj.getSpec().output.secretRef).ifPresent(secrets::add);
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
                secrets,
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
