package io.kubetune.operator.e2e;

import static io.kubetune.operator.e2e.Jobs.assertCondition;
import static io.kubetune.operator.e2e.Jobs.awaitReason;
import static io.kubetune.operator.e2e.Jobs.awaitState;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.kubetune.api.v1alpha1.FineTuneJob;
import io.kubetune.api.v1alpha1.JobState;
import io.kubetune.api.v1alpha1.Reasons;
import io.kubetune.testing.RealCluster;
import io.kubetune.testing.S3Handle;
import io.kubetune.testing.TestNamespace;
import io.minio.MinioClient;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * examples/rlhf/ with the real trainer on the tiny model, all applied at once with the dependents
 * first: SFT merges its adapter into a model, the reward model trains from that model (the operator
 * hands the trainer sft's status.mergedModelUri), PPO trains it against the reward model and GRPO
 * with rule rewards, each with its metrics on its status. A LoRA sft that merges nothing is started
 * from as its base plus its adapter.
 */
@RealCluster
class RealTrainerChainIT {
    private static final Duration TIMEOUT = Duration.ofMinutes(8);

    static KubernetesClient client;
    static RealTrainerCluster cluster;

    @BeforeAll
    static void start(KubernetesClient c, TestNamespace ns, S3Handle s3, MinioClient minio)
            throws Exception {
        client = c;
        cluster = RealTrainerCluster.start(c, ns, s3, minio);
        cluster.putLines("glosses.jsonl", "examples/data/wordnet-definitions.jsonl", 24);
        cluster.putLines("pairs.jsonl", "examples/data/wordnet-preferences.jsonl", 24);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static FineTuneJob job(String name, String model, String data, String stage) {
        return job(name, model, data, stage, true);
    }

    private static FineTuneJob job(
            String name, String model, String data, String stage, boolean mergeModel) {
        String format = stage.equals("rm") ? "preference" : "alpaca";
        return job(name, model, data, format, "{instruction: instruction}", stage, mergeModel);
    }

    /**
     * A tiny job on the glosses' prompts: {@code stageLines} are the stage's own spec fields (its
     * section, the reward model), one flow-style YAML line each.
     */
    private static FineTuneJob rolloutJob(String name, String stage, String... stageLines) {
        String lines = stage + "\n  " + String.join("\n  ", stageLines);
        return job(
                name,
                "{fineTuneJobRef: {name: chain-sft}}",
                "glosses.jsonl",
                "prompt",
                "{prompt: instruction}",
                lines,
                false);
    }

    private static FineTuneJob job(
            String name,
            String model,
            String data,
            String format,
            String columns,
            String stage,
            boolean mergeModel) {
        return Serialization.unmarshal(
                """
                apiVersion: kubetune.io/v1alpha1
                kind: FineTuneJob
                metadata:
                  name: %1$s
                spec:
                  model: %3$s
                  datasets:
                    - uri: %2$s/%4$s
                      format: %5$s
                      columns: %8$s
                      template: alpaca
                  stage: %6$s
                  method:
                    type: lora
                    lora: {r: 4, alpha: 8, targetModules: [q_proj, v_proj]}
                  training:
                    maxSteps: 4
                    batchSize: 4
                    learningRate: "3e-3"
                    cutoffLength: 96
                    batching: padding
                    seed: 7
                    loggingSteps: 1
                  output:
                    uri: %2$s/runs/%1$s
                    secretRef: {name: s3-credentials}
                    mergeModel: %7$s
                  resources: {cpu: "1", memory: 2Gi}
                """
                        .formatted(
                                name,
                                cluster.uri(),
                                model,
                                data,
                                format,
                                stage,
                                mergeModel,
                                columns),
                FineTuneJob.class);
    }

    /**
     * examples/rlhf/ in small: sft -> rm -> ppo and sft -> grpo, applied at once with the
     * dependents first; each starts after what it reads has succeeded and reports its metrics.
     */
    @Test
    void theWholeChainAppliedAtOnceRunsInDependencyOrder() throws Exception {
        client.resource(
                        rolloutJob(
                                "chain-ppo",
                                "ppo",
                                "rewardModel: {fineTuneJobRef: {name: chain-rm}}",
                                "ppo: {ppoEpochs: 1, responseLength: 8, temperature: \"0.9\"}"))
                .create();
        client.resource(
                        rolloutJob(
                                "chain-grpo",
                                "grpo",
                                "grpo: {numGenerations: 2, maxCompletionLength: 8, temperature:"
                                        + " \"0.9\", rewards: [{type: exactMatch, column: output,"
                                        + " weight: \"1\"}, {type: lengthPenalty, weight:"
                                        + " \"0.1\"}]}"))
                .create();
        client.resource(job("chain-rm", "{fineTuneJobRef: {name: chain-sft}}", "pairs.jsonl", "rm"))
                .create();
        client.resource(
                        job(
                                "chain-sft",
                                "{uri: " + cluster.uri("model/") + "}",
                                "glosses.jsonl",
                                "sft"))
                .create();
        awaitReason(client, "chain-rm", Reasons.WAITING_FOR_DEPENDENCY, TIMEOUT);
        awaitReason(client, "chain-ppo", Reasons.WAITING_FOR_DEPENDENCY, TIMEOUT);

        FineTuneJob sft = awaitState(client, "chain-sft", JobState.Succeeded, TIMEOUT);
        FineTuneJob rm = awaitState(client, "chain-rm", JobState.Succeeded, TIMEOUT);
        FineTuneJob grpo = awaitState(client, "chain-grpo", JobState.Succeeded, TIMEOUT);
        FineTuneJob ppo = awaitState(client, "chain-ppo", JobState.Succeeded, TIMEOUT);

        assertThat(sft.getStatus().mergedModelUri).startsWith(cluster.uri("runs/chain-sft"));
        assertStartedAfter(rm, sft);
        assertStartedAfter(grpo, sft);
        assertStartedAfter(ppo, rm);
        String jobFile =
                client.configMaps().withName("chain-rm-ftj-job").get().getData().get("job.yaml");
        assertThat(Serialization.unmarshal(jobFile, FineTuneJob.class).getSpec().model.uri)
                .isEqualTo(sft.getStatus().mergedModelUri);
        assertThat(rm.getStatus().progress.step).isEqualTo(4L);
        assertThat(rm.getStatus().progress.metrics)
                .extracting(m -> m.name)
                .contains("accuracy", "margin");
        assertThat(rm.getStatus().mergedModelUri).startsWith(cluster.uri("runs/chain-rm"));
        // the reward model ppo reads: one label, and the score head in its weights
        String merged = rm.getStatus().mergedModelUri.replaceAll("/$", "");
        assertThat(cluster.read(merged + "/config.json")).contains("\"LABEL_0\": 0");
        String weights = cluster.read(merged + "/model.safetensors");
        assertThat(weights.substring(0, Math.min(weights.length(), 50_000)))
                .contains("\"score.weight\"");

        FineTuneJob ppoFile = jobFile("chain-ppo");
        assertThat(ppoFile.getSpec().model.uri).isEqualTo(sft.getStatus().mergedModelUri);
        assertThat(ppoFile.getSpec().rewardModel.uri).isEqualTo(rm.getStatus().mergedModelUri);
        assertThat(ppo.getStatus().progress.step).isEqualTo(4L);
        assertThat(ppo.getStatus().progress.metrics)
                .extracting(m -> m.name)
                .contains("objective/scores", "objective/rlhf_reward");
        assertThat(jobFile("chain-grpo").getSpec().model.uri)
                .isEqualTo(sft.getStatus().mergedModelUri);
        assertThat(grpo.getStatus().progress.step).isEqualTo(4L);
        assertThat(grpo.getStatus().progress.metrics)
                .extracting(m -> m.name)
                .contains("reward", "reward_std");
    }

    /** A reward model whose trainer fails (its data is missing) fails the ppo job waiting on it. */
    @Test
    void aFailingRewardModelFailsThePpoJobWaitingOnIt() throws Exception {
        FineTuneJob ppo =
                rolloutJob(
                        "after-bad-rm",
                        "ppo",
                        "rewardModel: {fineTuneJobRef: {name: bad-rm}}",
                        "ppo: {ppoEpochs: 1, responseLength: 8}");
        ppo.getSpec().model.fineTuneJobRef = null;
        ppo.getSpec().model.uri = cluster.uri("model/");
        client.resource(ppo).create();
        FineTuneJob rm =
                job("bad-rm", "{uri: " + cluster.uri("model/") + "}", "missing.jsonl", "rm");
        rm.getSpec().backoffLimit = 0;
        client.resource(rm).create();

        FineTuneJob failed = awaitState(client, "after-bad-rm", JobState.Failed, TIMEOUT);

        awaitState(client, "bad-rm", JobState.Failed, TIMEOUT);
        assertCondition(failed, "Failed", "True", Reasons.DEPENDENCY_FAILED);
        assertThat(failed.getStatus().message)
                .startsWith("spec.rewardModel.fineTuneJobRef: FineTuneJob bad-rm failed");
    }

    private static FineTuneJob jobFile(String job) {
        String yaml =
                client.configMaps().withName(job + "-ftj-job").get().getData().get("job.yaml");
        return Serialization.unmarshal(yaml, FineTuneJob.class);
    }

    private static void assertStartedAfter(FineTuneJob later, FineTuneJob earlier) {
        assertThat(Instant.parse(later.getStatus().startTime))
                .as(
                        later.getMetadata().getName()
                                + " starts after "
                                + earlier.getMetadata().getName())
                .isAfterOrEqualTo(Instant.parse(earlier.getStatus().completionTime));
    }

    @Test
    void aRewardModelFromTheBaseOfAnSftThatMergedNothingPlusItsAdapter() throws Exception {
        client.resource(
                        job(
                                "adapter-rm",
                                "{fineTuneJobRef: {name: adapter-sft}}",
                                "pairs.jsonl",
                                "rm"))
                .create();
        client.resource(
                        job(
                                "adapter-sft",
                                "{uri: " + cluster.uri("model/") + "}",
                                "glosses.jsonl",
                                "sft",
                                false))
                .create();

        FineTuneJob sft = awaitState(client, "adapter-sft", JobState.Succeeded, TIMEOUT);
        FineTuneJob rm = awaitState(client, "adapter-rm", JobState.Succeeded, TIMEOUT);

        assertThat(sft.getStatus().mergedModelUri).isNull();
        String jobFile =
                client.configMaps().withName("adapter-rm-ftj-job").get().getData().get("job.yaml");
        FineTuneJob file = Serialization.unmarshal(jobFile, FineTuneJob.class);
        assertThat(file.getSpec().model.uri).isEqualTo(cluster.uri("model/"));
        assertThat(file.getSpec().model.adapter.uri).isEqualTo(sft.getStatus().adapterUri);
        assertThat(file.getSpec().model.fineTuneJobRef).isNull();
        assertThat(rm.getStatus().progress.step).isEqualTo(4L);
        assertThat(rm.getStatus().progress.metrics)
                .extracting(m -> m.name)
                .contains("accuracy", "margin");
    }
}
