package io.kubetune.operator.e2e;

import static io.kubetune.operator.e2e.Jobs.assertCondition;
import static io.kubetune.operator.e2e.Jobs.awaitState;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.kubetune.api.v1alpha1.FineTuneJob;
import io.kubetune.api.v1alpha1.JobState;
import io.kubetune.api.v1alpha1.Reasons;
import io.kubetune.api.v1alpha1.TrainingMetric;
import io.kubetune.testing.RealCluster;
import io.kubetune.testing.S3Handle;
import io.kubetune.testing.TestNamespace;
import io.minio.MinioClient;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A reward model and a DPO job, as examples/local/rm.yaml and dpo.yaml shape them but on 24 pairs
 * and 5 steps, run by the real trainer to Succeeded: the stage's metrics are on {@code
 * status.progress.metrics} and its LoRA adapter is in the output (for rm with its score head).
 */
@RealCluster
class PreferenceStagesIT {
    private static final Duration TIMEOUT = Duration.ofMinutes(8);
    private static final int STEPS = 5;

    static KubernetesClient client;
    static RealTrainerCluster cluster;

    @BeforeAll
    static void start(KubernetesClient c, TestNamespace ns, S3Handle s3, MinioClient minio)
            throws Exception {
        client = c;
        cluster = RealTrainerCluster.start(c, ns, s3, minio);
        cluster.putLines("pairs.jsonl", "examples/data/wordnet-preferences.jsonl", 24);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** The examples' shape: LLaMA-Factory's alpaca layout of pairs, LoRA, a few steps. */
    private static FineTuneJob job(String name, String stage, String extra, Integer evalSteps) {
        return Serialization.unmarshal(
                """
                apiVersion: kubetune.io/v1alpha1
                kind: FineTuneJob
                metadata:
                  name: %1$s
                spec:
                  model:
                    uri: %2$s/model/
                  datasets:
                    - uri: %2$s/pairs.jsonl
                      format: preference
                      columns: {instruction: instruction}
                      template: alpaca
                  stage: %3$s
                  method:
                    type: lora
                    lora: {r: 4, alpha: 8, targetModules: [q_proj, v_proj]}
                  training:
                    maxSteps: %4$d
                    batchSize: 4
                    learningRate: "3e-3"
                    cutoffLength: 96
                    seed: 7
                    loggingSteps: 1
                    evalSteps: %6$s
                  output:
                    uri: %2$s/runs/%1$s
                    secretRef: {name: s3-credentials}
                  resources: {cpu: "1", memory: 2Gi}
                %5$s
                """
                        .formatted(name, cluster.uri(), stage, STEPS, extra.indent(2), evalSteps),
                FineTuneJob.class);
    }

    @Test
    void rewardModelSucceedsWithHeldOutAccuracyAndItsScoreHeadInTheAdapter() throws Exception {
        client.resource(job("reward", "rm", "validation: {ratio: \"0.25\"}", STEPS)).create();

        FineTuneJob done = awaitState(client, "reward", JobState.Succeeded, TIMEOUT);

        assertCondition(done, "Succeeded", "True", Reasons.COMPLETED);
        assertThat(done.getStatus().progress.step).isEqualTo((long) STEPS);
        Map<String, Double> metrics = metrics(done);
        System.out.println("rm status.progress.metrics: " + metrics);
        assertThat(metrics).containsKeys("accuracy", "margin", "eval_accuracy");
        assertThat(metrics.get("eval_accuracy")).isBetween(0.0, 1.0);
        JsonNode adapter = adapterConfig(done, "reward");
        assertThat(adapter.get("task_type").asText()).isEqualTo("SEQ_CLS");
        assertThat(adapter.get("modules_to_save").get(0).asText()).isEqualTo("score");
    }

    @Test
    void dpoSucceedsWithTrlsRewardMetricsAndTheAdapter() throws Exception {
        client.resource(job("dpo", "dpo", "preference: {beta: \"0.1\", loss: sigmoid}", null))
                .create();

        FineTuneJob done = awaitState(client, "dpo", JobState.Succeeded, TIMEOUT);

        assertCondition(done, "Succeeded", "True", Reasons.COMPLETED);
        assertThat(done.getStatus().progress.step).isEqualTo((long) STEPS);
        Map<String, Double> metrics = metrics(done);
        System.out.println("dpo status.progress.metrics: " + metrics);
        assertThat(metrics)
                .containsKeys(
                        "rewards/chosen",
                        "rewards/rejected",
                        "rewards/accuracies",
                        "rewards/margins",
                        "logps/chosen",
                        "logps/rejected");
        assertThat(metrics.get("rewards/accuracies")).isBetween(0.0, 1.0);
        assertThat(metrics.get("logps/chosen")).isNegative();
        JsonNode adapter = adapterConfig(done, "dpo");
        assertThat(adapter.get("task_type").asText()).isEqualTo("CAUSAL_LM");
        assertThat(adapter.get("peft_type").asText()).isEqualTo("LORA");
    }

    private static Map<String, Double> metrics(FineTuneJob job) {
        assertThat(job.getStatus().progress.metrics).as("status.progress.metrics").isNotEmpty();
        return job.getStatus().progress.metrics.stream()
                .collect(
                        Collectors.toMap(
                                (TrainingMetric m) -> m.name, m -> Double.parseDouble(m.value)));
    }

    private static JsonNode adapterConfig(FineTuneJob job, String name) throws Exception {
        String adapter = job.getStatus().adapterUri;
        assertThat(adapter).startsWith(cluster.uri("runs/" + name));
        String config = cluster.read(adapter.replaceAll("/$", "") + "/adapter_config.json");
        return new ObjectMapper().readTree(config);
    }
}
