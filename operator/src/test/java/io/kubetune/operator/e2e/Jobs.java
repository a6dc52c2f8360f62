package io.kubetune.operator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.kubetune.api.v1alpha1.FineTuneJob;
import io.kubetune.api.v1alpha1.JobState;
import io.kubetune.api.v1alpha1.TrainerContract;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/** Test helpers: FineTuneJobs as users write them, and waiting for what users would watch. */
final class Jobs {
    private Jobs() {}

    /** A valid FineTuneJob run by the fake trainer with {@code behaviour}. */
    static FineTuneJob fake(String name, String behaviour, String specExtra) {
        String yaml =
                """
                apiVersion: kubetune.io/v1alpha1
                kind: FineTuneJob
                metadata:
                  name: %s
                spec:
                  model: {uri: s3://kubetune-test/models/tiny}
                  datasets: [{uri: s3://kubetune-test/data/tiny.jsonl, format: alpaca}]
                  training: {maxSteps: 4}
                  output: {uri: s3://kubetune-test/fake/%s/%s}
                  resources: {cpu: 100m, memory: 256Mi}
                %s
                """
                        .formatted(name, behaviour, name, specExtra.indent(2));
        return Serialization.unmarshal(yaml, FineTuneJob.class);
    }

    static FineTuneJob get(KubernetesClient client, String name) {
        return client.resources(FineTuneJob.class).withName(name).get();
    }

    /** Waits until the job's status satisfies {@code done}; fails with the status it had. */
    static FineTuneJob await(
            KubernetesClient client, String name, Duration timeout, Predicate<FineTuneJob> done) {
        long end = System.nanoTime() + timeout.toNanos();
        FineTuneJob last = null;
        while (System.nanoTime() < end) {
            last = get(client, name);
            if (last != null && done.test(last)) {
                return last;
            }
            sleep(200);
        }
        throw new AssertionError(
                "FineTuneJob "
                        + name
                        + " did not get there in "
                        + timeout
                        + "; status: "
                        + (last == null ? "gone" : Serialization.asYaml(last.getStatus())));
    }

    /** Waits until one of the job's conditions has {@code reason}. */
    static FineTuneJob awaitReason(
            KubernetesClient client, String name, String reason, Duration timeout) {
        return await(
                client,
                name,
                timeout,
                j ->
                        j.getStatus() != null
                                && j.getStatus().conditions.stream()
                                        .anyMatch(c -> reason.equals(c.getReason())));
    }

    static FineTuneJob awaitState(
            KubernetesClient client, String name, JobState state, Duration timeout) {
        return await(
                client, name, timeout, j -> j.getStatus() != null && j.getStatus().state == state);
    }

    static List<Job> jobsOf(KubernetesClient client, String name) {
        return client.batch()
                .v1()
                .jobs()
                .withLabel("app.kubernetes.io/instance", name)
                .list()
                .getItems();
    }

    static List<Pod> podsOf(KubernetesClient client, String name) {
        return client.pods().withLabel("app.kubernetes.io/instance", name).list().getItems();
    }

    static List<Event> warnings(KubernetesClient client, String name) {
        return client.v1().events().list().getItems().stream()
                .filter(e -> name.equals(e.getInvolvedObject().getName()))
                .filter(e -> "Warning".equals(e.getType()))
                .toList();
    }

    static void assertCondition(FineTuneJob j, String type, String status, String reason) {
        assertThat(j.getStatus().conditions)
                .as("conditions of %s", j.getMetadata().getName())
                .anySatisfy(
                        c -> {
                            assertThat(c.getType()).isEqualTo(type);
                            assertThat(c.getStatus()).isEqualTo(status);
                            assertThat(c.getReason()).isEqualTo(reason);
                        });
    }

    /** Waits until {@code done}; fails with {@code what} (what was seen) otherwise. */
    static void eventually(
            Duration timeout,
            java.util.function.BooleanSupplier done,
            java.util.function.Supplier<String> what) {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (done.getAsBoolean()) {
                return;
            }
            sleep(200);
        }
        throw new AssertionError("not within " + timeout + ": " + what.get());
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The trainer's progress report: status.progress by SSA with the trainer's field manager. */
    static void applyProgress(KubernetesClient client, String name, long step) {
        applyStatusAsTrainer(
                client,
                FineTuneJob.class,
                name,
                Map.of("progress", Map.of("step", step, "totalSteps", 4, "percent", 50)));
    }

    /** A status written as the trainer writes it: SSA with the trainer's field manager. */
    static void applyStatusAsTrainer(
            KubernetesClient client,
            Class<? extends HasMetadata> type,
            String name,
            Map<String, Object> status) {
        GenericKubernetesResource patch = new GenericKubernetesResource();
        patch.setApiVersion(HasMetadata.getApiVersion(type));
        patch.setKind(HasMetadata.getKind(type));
        patch.setMetadata(new ObjectMetaBuilder().withName(name).build());
        patch.setAdditionalProperty("status", status);
        client.genericKubernetesResources(ResourceDefinitionContext.fromResourceType(type))
                .resource(patch)
                .subresource("status")
                .patch(
                        new PatchContext.Builder()
                                .withPatchType(PatchType.SERVER_SIDE_APPLY)
                                .withFieldManager(TrainerContract.TRAINER_FIELD_MANAGER)
                                .withForce(true)
                                .build());
    }

    /** RBAC refuses the call (403). */
    static void assertForbidden(Runnable call) {
        assertThatThrownBy(call::run)
                .isInstanceOfSatisfying(
                        KubernetesClientException.class,
                        e -> assertThat(e.getCode()).isEqualTo(403));
    }
}
