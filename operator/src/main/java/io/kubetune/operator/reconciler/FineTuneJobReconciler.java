package io.kubetune.operator.reconciler;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.retry.GradualRetry;
import io.kubetune.api.v1alpha1.EvalJob;
import io.kubetune.api.v1alpha1.EvalResult;
import io.kubetune.api.v1alpha1.FineTuneJob;
import io.kubetune.api.v1alpha1.FineTuneJobSpec;
import io.kubetune.api.v1alpha1.FineTuneJobStatus;
import io.kubetune.api.v1alpha1.JobState;
import io.kubetune.api.v1alpha1.MlflowSpec;
import io.kubetune.operator.config.OperatorSettings;
import io.kubetune.operator.desired.EvalAfterTraining;
import io.kubetune.operator.desired.Labels;
import io.kubetune.operator.lifecycle.AttemptOutcome;
import io.kubetune.operator.lifecycle.Dependencies;
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
 * Runs {@code train} for a FineTuneJob and, when spec.evaluation is set, an EvalJob on the result,
 * whose scores are copied onto the FineTuneJob (hellaswag = acc_norm, for kubectl get).
 */
// a singleton, not application-scoped: no client proxy, so the constructor can take its settings
@Singleton
@GradualRetry(
        maxAttempts = -1,
        initialInterval = 1000,
        intervalMultiplier = 2,
        maxInterval = 60_000)
@ControllerConfiguration(name = "finetunejob")
public class FineTuneJobReconciler extends TrainerRunReconciler<FineTuneJob, FineTuneJobStatus> {

    /** Status fields the trainer writes with its own field manager. */
    static final Set<String> TRAINER_FIELDS = Set.of("progress", "lastCheckpoint", "mlflow");

    private final DependencyWatch<FineTuneJob> dependencies =
            new DependencyWatch<>(ftj -> Dependencies.of(ftj.getSpec()));

    @Inject
    public FineTuneJobReconciler(OperatorSettings settings, OperatorMetrics metrics) {
        super(
                settings,
                metrics,
                FineTuneJob.class,
                FineTuneJobStatus.class,
                TRAINER_FIELDS,
                "train");
    }

    @Override
    protected Preparation prepare(FineTuneJob ftj, Context<FineTuneJob> context) {
        Dependencies.Check deps =
                dependencies.check(
                        ftj, ftj.getMetadata().getName(), started(ftj), context.getClient());
        if (!deps.ready()) {
            return deps.blocked();
        }
        List<String> secrets = new ArrayList<>();
        FineTuneJobSpec spec = ftj.getSpec();
        secretName(spec.model.secretRef).ifPresent(secrets::add);
        secretName(spec.output.secretRef).ifPresent(secrets::add);
        if (spec.rewardModel != null) {
            secretName(spec.rewardModel.secretRef).ifPresent(secrets::add);
        }
        FineTuneJob file = ftj;
        if (!deps.resolved().isEmpty()) {
            // the trainer only sees URIs: the job file gets the dependencies' outputs
            file = Serialization.jsonMapper().convertValue(ftj, FineTuneJob.class);
            Resolved model = deps.resolved().get(Dependencies.MODEL);
            if (model != null) {
                model.writeModel(file.getSpec().model);
                if (spec.model.secretRef == null) {
                    outputSecret(model).ifPresent(secrets::add);
                }
                model.baseSecret().ifPresent(secrets::add);
            }
            Resolved reward = deps.resolved().get(Dependencies.REWARD_MODEL);
            if (reward != null) {
                file.getSpec().rewardModel.uri = reward.uri();
                file.getSpec().rewardModel.fineTuneJobRef = null;
                if (spec.rewardModel.secretRef == null) {
                    outputSecret(reward).ifPresent(secrets::add);
                }
            }
        }
        MlflowSpec mlflow = spec.tracking == null ? null : spec.tracking.mlflow;
        return Preparation.ready(
                file,
                secrets.stream().distinct().toList(),
                mlflow == null ? null : secretName(mlflow.secretRef).orElse(null));
    }

    @Override
    protected List<EventSource<?, FineTuneJob>> moreEventSources(
            EventSourceContext<FineTuneJob> context) {
        return List.of(
                new InformerEventSource<>(
                        InformerEventSourceConfiguration.from(EvalJob.class, FineTuneJob.class)
                                .withLabelSelector(Labels.selectorFor("finetunejob"))
                                .withSecondaryToPrimaryMapper(byOwnerName())
                                .withNamespacesInheritedFromController()
                                .build(),
                        context),
                dependencies.eventSource(context));
    }

    @Override
    protected Optional<Duration> onTrainerSucceeded(
            FineTuneJob ftj,
            AttemptOutcome outcome,
            Step<FineTuneJobStatus> step,
            Context<FineTuneJob> context) {
        FineTuneJobStatus st = step.status();
        if (outcome.result() != null) {
            if (outcome.result().adapterUri != null) {
                st.adapterUri = outcome.result().adapterUri;
            }
            if (outcome.result().mergedModelUri != null) {
                st.mergedModelUri = outcome.result().mergedModelUri;
            }
        }
        if (ftj.getSpec().evaluation == null) {
            step.to().succeeded("training finished");
            return Optional.empty();
        }
        if (st.adapterUri == null) {
            step.to().evaluated(false, "the trainer reported no adapter URI to evaluate");
            step.to().succeeded("training finished; nothing to evaluate");
            return Optional.empty();
        }
        String name = EvalAfterTraining.name(ftj);
        st.evalJobName = name;
        Optional<EvalJob> eval =
                context.getSecondaryResources(EvalJob.class).stream()
                        .filter(e -> name.equals(e.getMetadata().getName()))
                        .findFirst();
        if (eval.isEmpty()) {
            CreateOnly.create(
                    context.getClient(),
                    ftj,
                    EvalAfterTraining.build(ftj, st.adapterUri, st.mlflow));
            step.to().evaluating("training finished; EvalJob " + name + " evaluates the adapter");
            return Optional.of(settings.resyncInterval());
        }
        JobState evalState = eval.get().getStatus() == null ? null : eval.get().getStatus().state;
        if (evalState == JobState.Succeeded) {
            st.evalResults = eval.get().getStatus().results;
            st.hellaswag = hellaswag(st.evalResults);
            step.to().evaluated(true, "EvalJob " + name + " succeeded");
            step.to().succeeded("training and evaluation finished");
            return Optional.empty();
        }
        if (evalState == JobState.Failed) {
            String why = eval.get().getStatus().message;
            step.to().evaluated(false, "EvalJob " + name + " failed: " + why);
            step.to().succeeded("training finished; the evaluation failed, the adapter is valid");
            return Optional.empty();
        }
        step.to().evaluating("training finished; EvalJob " + name + " evaluates the adapter");
        return Optional.of(settings.resyncInterval());
    }

    static Double hellaswag(List<EvalResult> results) {
        if (results == null) {
            return null;
        }
        return results.stream()
                .filter(r -> "hellaswag".equals(r.task))
                .map(r -> r.accNorm)
                .findFirst()
                .orElse(null);
    }
}
