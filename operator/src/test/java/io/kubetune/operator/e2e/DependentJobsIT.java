package io.kubetune.operator.e2e;

import static io.kubetune.operator.e2e.Jobs.assertCondition;
import static io.kubetune.operator.e2e.Jobs.awaitReason;
import static io.kubetune.operator.e2e.Jobs.awaitState;
import static io.kubetune.operator.e2e.Jobs.fake;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.kubetune.api.v1alpha1.FineTuneJob;
import io.kubetune.api.v1alpha1.JobState;
import io.kubetune.api.v1alpha1.Reasons;
import io.kubetune.testing.RealCluster;
import io.kubetune.testing.TestNamespace;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * FineTuneJobs that start from each other's results, on a real API server with the fake trainer:
 * applied in any order they run in dependency order, a failed dependency fails its dependents,
 * cycles and other namespaces are refused, and deleting a dependency leaves its dependents.
 */
@RealCluster
class DependentJobsIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    static KubernetesClient client;
    static FakeTrainerCluster cluster;

    @BeforeAll
    static void start(KubernetesClient c, TestNamespace ns) {
        client = c;
        cluster = FakeTrainerCluster.start(c, ns.name());
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** A job of {@code stage} that starts from {@code from}'s model and merges its adapter. */
    private static FineTuneJob dependent(String name, String behaviour, String from, String stage) {
        FineTuneJob job =
                fake(
                        name,
                        behaviour,
                        "stage: "
                                + stage
                                + (stage.equals("rm")
                                        ? "\ntraining: {maxSteps: 4, batching: padding}"
                                        : ""));
        job.getSpec().model.uri = null;
        job.getSpec().model.fineTuneJobRef = new io.kubetune.api.v1alpha1.FineTuneJobRef();
        job.getSpec().model.fineTuneJobRef.name = from;
        job.getSpec().output.mergeModel = true;
        if (stage.equals("rm")) {
            job.getSpec().datasets.get(0).format = io.kubetune.api.v1alpha1.DataFormat.PREFERENCE;
        }
        return job;
    }

    @Test
    void aChainAppliedBackwardsRunsInDependencyOrder() {
        client.resource(dependent("chain-rm", "succeed", "chain-sft", "rm")).create();

        FineTuneJob waiting =
                awaitReason(client, "chain-rm", Reasons.WAITING_FOR_DEPENDENCY, TIMEOUT);
        assertThat(waiting.getStatus().state).isEqualTo(JobState.Pending);
        assertThat(waiting.getStatus().message)
                .isEqualTo(
                        "spec.model.fineTuneJobRef: waiting for FineTuneJob chain-sft, which does"
                                + " not exist (yet)");
        assertThat(waiting.getStatus().startTime).as("the spec stays editable").isNull();

        FineTuneJob sftJob = fake("chain-sft", "succeed", "");
        sftJob.getSpec().output.mergeModel = true;
        client.resource(sftJob).create();

        FineTuneJob sft = awaitState(client, "chain-sft", JobState.Succeeded, TIMEOUT);
        FineTuneJob rm = awaitState(client, "chain-rm", JobState.Succeeded, TIMEOUT);
        assertThat(Instant.parse(rm.getStatus().startTime))
                .as("rm started after sft ended")
                .isAfterOrEqualTo(Instant.parse(sft.getStatus().completionTime));
        String jobFile =
                client.configMaps().withName("chain-rm-ftj-job").get().getData().get("job.yaml");
        FineTuneJob seen = Serialization.unmarshal(jobFile, FineTuneJob.class);
        assertThat(seen.getSpec().model.uri)
                .as("the trainer gets the dependency's merged model")
                .isEqualTo("s3://kubetune-test/fake/succeed/chain-sft/merged");
        assertThat(seen.getSpec().model.fineTuneJobRef).isNull();
        assertThat(rm.getStatus().mergedModelUri)
                .isEqualTo("s3://kubetune-test/fake/succeed/chain-rm/merged");

        assertThat(rm.getMetadata().getOwnerReferences()).as("no owner between jobs").isEmpty();
        client.resource(sft).delete();
        Jobs.eventually(
                TIMEOUT, () -> Jobs.get(client, "chain-sft") == null, () -> "chain-sft deleted");
        assertThat(Jobs.get(client, "chain-rm"))
                .as("deleting a dependency leaves the jobs that used it")
                .isNotNull()
                .satisfies(j -> assertThat(j.getStatus().state).isEqualTo(JobState.Succeeded));
    }

    @Test
    void aFailedDependencyFailsItsDependent() {
        client.resource(dependent("after-bad", "succeed", "bad-sft", "sft")).create();
        awaitReason(client, "after-bad", Reasons.WAITING_FOR_DEPENDENCY, TIMEOUT);
        FineTuneJob bad = fake("bad-sft", "fail", "");
        bad.getSpec().output.mergeModel = true;
        client.resource(bad).create();

        FineTuneJob failed = awaitState(client, "after-bad", JobState.Failed, TIMEOUT);

        assertCondition(failed, "Failed", "True", Reasons.DEPENDENCY_FAILED);
        assertThat(failed.getStatus().message)
                .startsWith("spec.model.fineTuneJobRef: FineTuneJob bad-sft failed");
        assertThat(Jobs.jobsOf(client, "after-bad")).as("no trainer Job was made").isEmpty();
        Jobs.eventually(
                TIMEOUT,
                () ->
                        Jobs.warnings(client, "after-bad").stream()
                                .anyMatch(e -> Reasons.DEPENDENCY_FAILED.equals(e.getReason())),
                () -> "a DependencyFailed Warning event");
    }

    @Test
    void aCycleIsRefusedWithItsJobsNamed() {
        client.resource(dependent("cycle-a", "succeed", "cycle-b", "sft")).create();
        client.resource(dependent("cycle-b", "succeed", "cycle-a", "sft")).create();

        for (String name : List.of("cycle-a", "cycle-b")) {
            FineTuneJob refused = awaitState(client, name, JobState.Failed, TIMEOUT);
            assertCondition(refused, "Failed", "True", Reasons.INVALID_SPEC);
            String other = name.equals("cycle-a") ? "cycle-b" : "cycle-a";
            assertThat(refused.getStatus().message)
                    .isEqualTo(
                            "spec.model.fineTuneJobRef: "
                                    + name
                                    + " -> "
                                    + other
                                    + " -> "
                                    + name
                                    + " is a cycle: no job of it can start; remove one of the"
                                    + " references");
        }
    }

    @Test
    void aJobOfAnotherNamespaceIsRefused() {
        FineTuneJob job = dependent("elsewhere", "succeed", "sft", "sft");
        job.getSpec().model.fineTuneJobRef.namespace = "team-b";
        client.resource(job).create();

        FineTuneJob refused = awaitState(client, "elsewhere", JobState.Failed, TIMEOUT);

        assertCondition(refused, "Failed", "True", Reasons.INVALID_SPEC);
        assertThat(refused.getStatus().message)
                .startsWith("spec.model.fineTuneJobRef.namespace: team-b is not this job's");
    }
}
