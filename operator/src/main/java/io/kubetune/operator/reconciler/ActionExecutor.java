package io.kubetune.operator.reconciler;

import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.kubetune.api.v1alpha1.RunSpec;
import io.kubetune.operator.config.OperatorSettings;
import io.kubetune.operator.desired.JobFileConfigMap;
import io.kubetune.operator.desired.TrainerJobBuilder;
import io.kubetune.operator.desired.TrainerJobRequest;
import io.kubetune.operator.desired.TrainerRbac;
import io.kubetune.operator.lifecycle.Action;
import io.kubetune.operator.lifecycle.Attempts;
import io.kubetune.operator.lifecycle.Decision;
import io.kubetune.operator.lifecycle.Preparation;
import io.kubetune.operator.metrics.OperatorMetrics;
import java.util.List;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Carries out a {@link Decision} on the cluster: the only part of the lifecycle that talks to the
 * API server (creates, deletes, annotations, events, metrics). Every call is idempotent, so a
 * reconcile that failed half-way is simply run again.
 */
final class ActionExecutor {
    private static final Logger LOG = Logger.getLogger(ActionExecutor.class);

    private final OperatorSettings settings;
    private final OperatorMetrics metrics;
    private final String kind;
    private final String command;
    private final Consumer<Job> jobCreated;

    /**
     * {@code jobCreated} learns of each Job this executor creates, as the API server returned it.
     */
    ActionExecutor(
            OperatorSettings settings,
            OperatorMetrics metrics,
            String kind,
            String command,
            Consumer<Job> jobCreated) {
        this.settings = settings;
        this.metrics = metrics;
        this.kind = kind;
        this.command = command;
        this.jobCreated = jobCreated;
    }

    /**
     * Does what {@code d} says for {@code owner}, whose Jobs' pods are {@code pods}; {@code prep}
     * is the job file and Secrets of a launch.
     */
    void carryOut(
            KubernetesClient client,
            HasMetadata owner,
            RunSpec run,
            Decision d,
            Job current,
            List<Pod> pods,
            Preparation prep) {
        if (current != null) {
            d.outcomeMark().ifPresent(reason -> annotate(client, current, reason));
        }
        Action a = d.action();
        if (a instanceof Action.Resume r) {
            stopAttempt(client, r.previous(), pods);
        } else if (a instanceof Action.Retry r) {
            stopAttempt(client, r.previous(), pods);
            metrics.retried(kind, r.reason());
        } else if (a instanceof Action.Suspend s) {
            stopAttempt(client, s.running(), pods);
        } else if (a instanceof Action.Fail f && f.stop() != null) {
            stopAttempt(client, f.stop(), pods);
        } else if (a instanceof Action.Expire e && e.stop() != null) {
            stopAttempt(client, e.stop(), pods);
        } else if (a instanceof Action.DeleteAfterTtl) {
            deleteAfterTtl(client, owner, run);
        }
        if (a instanceof Action.Launch launch) {
            launch(client, owner, run, launch, prep);
        }
    }

    /** Warning events, after the status that explains them was written. */
    void warn(KubernetesClient client, HasMetadata owner, List<Decision.Warning> warnings) {
        warnings.forEach(w -> Events.warning(client, owner, w.reason(), w.message()));
    }

    /**
     * The job file, the trainer's identity, then the Job: in this order, so that a crash between
     * two creates leaves nothing a pod could start without, and the next reconcile finds the
     * earlier ones as its own.
     */
    private void launch(
            KubernetesClient client,
            HasMetadata owner,
            RunSpec run,
            Action.Launch launch,
            Preparation prep) {
        CreateOnly.create(client, owner, JobFileConfigMap.build(prep.jobFile()));
        CreateOnly.create(client, owner, TrainerRbac.serviceAccount(owner));
        CreateOnly.create(client, owner, TrainerRbac.role(owner));
        CreateOnly.create(client, owner, TrainerRbac.roleBinding(owner));
        int gpus = run.resources == null || run.resources.gpus == null ? 0 : run.resources.gpus;
        String image =
                run.image != null && !run.image.isBlank() ? run.image : settings.imageFor(gpus);
        Job job =
                TrainerJobBuilder.build(
                        new TrainerJobRequest(
                                owner,
                                run,
                                command,
                                prep.secretNames(),
                                prep.mlflowSecret(),
                                launch.attempt(),
                                image,
                                launch.deadlineSeconds()));
        CreateOnly.create(client, owner, job)
                .ifPresent(
                        created -> {
                            jobCreated.accept(created);
                            LOG.infof(
                                    "%s %s/%s: created Job %s (attempt %d)",
                                    kind,
                                    owner.getMetadata().getNamespace(),
                                    owner.getMetadata().getName(),
                                    created.getMetadata().getName(),
                                    launch.attempt());
                        });
    }

    /**
     * Ends an attempt that may still run: deletes its pods that have not ended (gracefully: the
     * trainer checkpoints on SIGTERM); the Job then fails (backoffLimit 0) and stays as the
     * attempt's record. A Job that Kueue still holds suspended is deleted instead, so that Kueue
     * cannot start it later.
     */
    private static void stopAttempt(KubernetesClient client, Job job, List<Pod> pods) {
        if (job.getSpec() != null && Boolean.TRUE.equals(job.getSpec().getSuspend())) {
            deleteIfActive(client, job);
            return;
        }
        String uid = job.getMetadata().getUid();
        pods.stream()
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
            client.resource(job).withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
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
                                    + Attempts.OUTCOME
                                    + "\":\""
                                    + reason
                                    + "\"}}}");
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                throw e;
            }
        }
    }

    private void deleteAfterTtl(KubernetesClient client, HasMetadata owner, RunSpec run) {
        LOG.infof(
                "%s %s/%s: deleting, %d s after it finished (spec.ttlSecondsAfterFinished)",
                kind,
                owner.getMetadata().getNamespace(),
                owner.getMetadata().getName(),
                run.ttlSecondsAfterFinished);
        client.resource(owner).withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
    }
}
