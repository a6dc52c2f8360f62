package io.kubetune.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The real Job controller creates the pods, the real scheduler puts them on a kwok fake node, the
 * {@link TestPodRunner} runs them as local processes and reports back, and the Job controller marks
 * the Job Complete or Failed from that.
 */
@RealCluster(applyRepoCrds = false)
class JobPodRunnerIT {

    private static final String MANAGED_BY = "app.kubernetes.io/managed-by";

    @Test
    void failingPodFailsTheJobWithExitCodeAndTerminationMessage(
            KubernetesClient client, TestPodRunner runner) {
        createJob(
                client,
                "fails",
                template(
                        "sh",
                        "-c",
                        "echo hi; echo 'bad things happened' > /dev/termination-log; exit 3"));

        Job job = awaitJobCondition(client, "fails", "Failed");
        assertThat(job.getStatus().getFailed()).isEqualTo(1);

        Pod pod = onlyPod(client, "fails");
        assertThat(pod.getStatus().getPhase()).isEqualTo("Failed");
        ContainerStateTerminated t =
                pod.getStatus().getContainerStatuses().get(0).getState().getTerminated();
        assertThat(t.getExitCode()).isEqualTo(3);
        assertThat(t.getReason()).isEqualTo("Error");
        assertThat(t.getMessage()).isEqualTo("bad things happened\n");
        assertThat(runner.logs(pod.getMetadata().getName())).isEqualTo("hi\n");
    }

    @Test
    void succeedingPodWithSecretConfigMapEnvAndVolumeCompletesTheJob(
            KubernetesClient client, TestPodRunner runner) {
        client.configMaps()
                .resource(
                        new ConfigMapBuilder()
                                .withNewMetadata()
                                .withName("job-config")
                                .endMetadata()
                                .addToData("greeting", "hello")
                                .addToData("config.json", "{\"epochs\": 1}")
                                .build())
                .create();
        client.secrets()
                .resource(
                        new SecretBuilder()
                                .withNewMetadata()
                                .withName("job-secret")
                                .endMetadata()
                                .addToStringData("token", "s3cr3t")
                                .build())
                .create();
        PodTemplateSpec template =
                new PodTemplateSpecBuilder(
                                template(
                                        "sh",
                                        "-c",
                                        "test \"$GREETING\" = hello && test \"$TOKEN\" = s3cr3t"
                                                + " && test \"$POD_NAME\" = \"$HOSTNAME\""
                                                + " && cat /etc/kubetune/config.json > /dev/termination-log"
                                                + " && echo \"$(cat /etc/kubetune/config.json)$(cat /var/run/secrets/kubernetes.io/serviceaccount/namespace)\""))
                        .editSpec()
                        .editFirstContainer()
                        .addNewEnv()
                        .withName("GREETING")
                        .withNewValueFrom()
                        .withNewConfigMapKeyRef("greeting", "job-config", false)
                        .endValueFrom()
                        .endEnv()
                        .addNewEnv()
                        .withName("TOKEN")
                        .withNewValueFrom()
                        .withNewSecretKeyRef("token", "job-secret", false)
                        .endValueFrom()
                        .endEnv()
                        .addNewEnv()
                        .withName("POD_NAME")
                        .withNewValueFrom()
                        .withNewFieldRef("v1", "metadata.name")
                        .endValueFrom()
                        .endEnv()
                        .addNewVolumeMount()
                        .withName("config")
                        .withMountPath("/etc/kubetune")
                        .endVolumeMount()
                        .endContainer()
                        .addNewVolume()
                        .withName("config")
                        .withNewConfigMap()
                        .withName("job-config")
                        .endConfigMap()
                        .endVolume()
                        .endSpec()
                        .build();
        createJob(client, "succeeds", template);

        awaitJobCondition(client, "succeeds", "Complete");
        Pod pod = onlyPod(client, "succeeds");
        assertThat(pod.getStatus().getPhase()).isEqualTo("Succeeded");
        ContainerStateTerminated t =
                pod.getStatus().getContainerStatuses().get(0).getState().getTerminated();
        assertThat(t.getExitCode()).isZero();
        assertThat(t.getReason()).isEqualTo("Completed");
        assertThat(t.getMessage()).isEqualTo("{\"epochs\": 1}");
        // the service-account volume (a real bound token) is there too
        assertThat(runner.logs(pod.getMetadata().getName()))
                .isEqualTo("{\"epochs\": 1}" + client.getNamespace() + "\n");
    }

    @Test
    void killedProcessFailsThePodWithExitCode137(KubernetesClient client, TestPodRunner runner)
            throws Exception {
        createJob(client, "killed", template("sleep", "600"));
        String podName = awaitPod(client, "killed");
        runner.awaitStarted(podName, Duration.ofSeconds(60));
        client.pods()
                .withName(podName)
                .waitUntilCondition(
                        p -> p != null && "Running".equals(p.getStatus().getPhase()),
                        30,
                        TimeUnit.SECONDS);

        assertThat(runner.kill(podName)).isTrue();

        awaitJobCondition(client, "killed", "Failed");
        Pod pod = onlyPod(client, "killed");
        assertThat(pod.getStatus().getPhase()).isEqualTo("Failed");
        assertThat(
                        pod.getStatus()
                                .getContainerStatuses()
                                .get(0)
                                .getState()
                                .getTerminated()
                                .getExitCode())
                .isEqualTo(137);
    }

    @Test
    void deletingARunningPodStopsItsProcess(KubernetesClient client, TestPodRunner runner)
            throws Exception {
        createJob(client, "deleted", template("sleep", "600"));
        String podName = awaitPod(client, "deleted");
        runner.awaitStarted(podName, Duration.ofSeconds(60));

        client.batch()
                .v1()
                .jobs()
                .withName("deleted")
                .withPropagationPolicy(
                        io.fabric8.kubernetes.api.model.DeletionPropagation.FOREGROUND)
                .delete();

        client.pods().withName(podName).waitUntilCondition(Objects::isNull, 60, TimeUnit.SECONDS);
        client.batch()
                .v1()
                .jobs()
                .withName("deleted")
                .waitUntilCondition(Objects::isNull, 60, TimeUnit.SECONDS);
        assertThat(runner.kill(podName)).as("no process left").isFalse();
    }

    // ------------------------------------------------------------------ helpers

    private static PodTemplateSpec template(String... command) {
        return new PodTemplateSpecBuilder()
                .withNewMetadata()
                .addToLabels(MANAGED_BY, "kubetune")
                .endMetadata()
                .withNewSpec()
                .withRestartPolicy("Never")
                .withTerminationGracePeriodSeconds(5L)
                .addNewContainer()
                .withName("main")
                .withImage("kubetune/test:never-pulled")
                .withCommand(command)
                .endContainer()
                .endSpec()
                .build();
    }

    private static void createJob(KubernetesClient client, String name, PodTemplateSpec template) {
        client.batch()
                .v1()
                .jobs()
                .resource(
                        new JobBuilder()
                                .withNewMetadata()
                                .withName(name)
                                .endMetadata()
                                .withNewSpec()
                                .withBackoffLimit(0)
                                .withTemplate(template)
                                .endSpec()
                                .build())
                .create();
    }

    private static Job awaitJobCondition(KubernetesClient client, String name, String type) {
        return client.batch()
                .v1()
                .jobs()
                .withName(name)
                .waitUntilCondition(
                        j ->
                                j != null
                                        && j.getStatus() != null
                                        && j.getStatus().getConditions() != null
                                        && j.getStatus().getConditions().stream()
                                                .anyMatch(
                                                        (JobCondition c) ->
                                                                type.equals(c.getType())
                                                                        && "True"
                                                                                .equals(
                                                                                        c
                                                                                                .getStatus())),
                        90,
                        TimeUnit.SECONDS);
    }

    private static String awaitPod(KubernetesClient client, String job) {
        return client.pods()
                .withLabel("job-name", job)
                .informOnCondition(pods -> !pods.isEmpty())
                .orTimeout(60, TimeUnit.SECONDS)
                .join()
                .get(0)
                .getMetadata()
                .getName();
    }

    private static Pod onlyPod(KubernetesClient client, String job) {
        List<Pod> pods = client.pods().withLabel("job-name", job).list().getItems();
        assertThat(pods).hasSize(1);
        return pods.get(0);
    }
}
