package io.kubetune.operator.e2e;

import static io.kubetune.operator.e2e.Jobs.assertCondition;
import static io.kubetune.operator.e2e.Jobs.awaitState;
import static io.kubetune.operator.e2e.Jobs.fake;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.kubetune.api.v1alpha1.EvalJob;
import io.kubetune.api.v1alpha1.FineTuneJob;
import io.kubetune.api.v1alpha1.JobState;
import io.kubetune.api.v1alpha1.Reasons;
import io.kubetune.api.v1alpha1.TrainerContract;
import io.kubetune.testing.RealCluster;
import io.kubetune.testing.TestNamespace;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The EvalJob after training, and EvalJobs that name a FineTuneJob's adapter. */
@RealCluster
class EvalAfterTrainingIT {
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

    @Test
    void succeededTrainingIsEvaluatedAndTheScoreCopied() {
        client.resource(
                        fake(
                                "scored",
                                "succeed",
                                "evaluation: {tasks: [{name: hellaswag}], limit: 10}"))
                .create();

        Jobs.awaitState(client, "scored", JobState.Evaluating, TIMEOUT);
        EvalJob eval = awaitEval("scored-eval", JobState.Running);
        assertThat(eval.getSpec().adapter.uri)
                .isEqualTo("s3://kubetune-test/fake/succeed/scored/adapter");
        assertThat(eval.getSpec().tasks)
                .extracting(t -> t.name.name())
                .containsExactly("HELLASWAG");
        assertThat(eval.getSpec().limit).isEqualTo(10);
        assertThat(eval.getMetadata().getOwnerReferences())
                .singleElement()
                .satisfies(o -> assertThat(o.getName()).isEqualTo("scored"));
        // the trainer reports the results on the EvalJob with its own field manager
        applyResultsAsTrainer("scored-eval", 0.3);

        FineTuneJob done = awaitState(client, "scored", JobState.Succeeded, TIMEOUT);
        assertThat(done.getStatus().evalJobName).isEqualTo("scored-eval");
        assertThat(done.getStatus().hellaswag).isEqualTo(0.3);
        assertThat(done.getStatus().evalResults)
                .singleElement()
                .satisfies(r -> assertThat(r.n).isEqualTo(10));
        assertCondition(done, "Evaluated", "True", Reasons.EVAL_SUCCEEDED);
        assertCondition(done, "Succeeded", "True", Reasons.COMPLETED);
        // the operator left the trainer's results on the EvalJob alone
        EvalJob evalDone = client.resources(EvalJob.class).withName("scored-eval").get();
        assertThat(evalDone.getStatus().results).hasSize(1);
        assertThat(evalDone.getStatus().state).isEqualTo(JobState.Succeeded);
    }

    @Test
    void evalJobWaitsForTheReferencedFineTuneJobAndGetsItsAdapterUri() {
        EvalJob ej =
                Serialization.unmarshal(
                        """
                        apiVersion: kubetune.io/v1alpha1
                        kind: EvalJob
                        metadata: {name: later}
                        spec:
                          model: {uri: s3://kubetune-test/models/tiny}
                          adapter: {fineTuneJobRef: {name: base}}
                          tasks: [{name: hellaswag}]
                        """,
                        EvalJob.class);
        client.resource(ej).create();
        EvalJob waiting = awaitEval("later", JobState.Pending);
        assertThat(waiting.getStatus().message).contains("FineTuneJob base");
        assertThat(waiting.getStatus().conditions)
                .anySatisfy(
                        c -> assertThat(c.getReason()).isEqualTo(Reasons.WAITING_FOR_DEPENDENCY));

        client.resource(fake("base", "succeed", "")).create();

        awaitEval("later", JobState.Succeeded);
        String jobFile =
                client.configMaps().withName("later-ej-job").get().getData().get("job.yaml");
        EvalJob seen = Serialization.unmarshal(jobFile, EvalJob.class);
        assertThat(seen.getSpec().adapter.uri)
                .isEqualTo("s3://kubetune-test/fake/succeed/base/adapter");
        assertThat(seen.getSpec().adapter.fineTuneJobRef).isNull();
        assertThat(
                        client.batch()
                                .v1()
                                .jobs()
                                .withName("later-ej-1")
                                .get()
                                .getSpec()
                                .getTemplate()
                                .getSpec()
                                .getContainers()
                                .get(0)
                                .getArgs())
                .containsExactly("eval", TrainerContract.JOB_FILE);
    }

    @Test
    void evalJobOfATrackedFineTuneJobLogsToItsMlflowRunWhichStaysOnTheStatus() {
        String runId = "0123456789abcdef0123456789abcdef";
        client.resource(
                        new SecretBuilder()
                                .withNewMetadata()
                                .withName("mlflow-credentials")
                                .endMetadata()
                                .addToStringData("MLFLOW_TRACKING_TOKEN", "t0ken")
                                .build())
                .create();
        client.resource(
                        fake(
                                "tracked",
                                "sleep-15",
                                "tracking: {mlflow: {trackingUri: 'http://mlflow.example:5000',"
                                        + " secretRef: {name: mlflow-credentials}}}"))
                .create();
        Jobs.awaitState(client, "tracked", JobState.Running, TIMEOUT);
        Jobs.applyStatusAsTrainer(
                client,
                FineTuneJob.class,
                "tracked",
                Map.of("mlflow", Map.of("experimentId", "1", "runId", runId)));
        client.resource(
                        Serialization.unmarshal(
                                """
                                apiVersion: kubetune.io/v1alpha1
                                kind: EvalJob
                                metadata: {name: tracked-later}
                                spec:
                                  model: {uri: s3://kubetune-test/models/tiny}
                                  adapter: {fineTuneJobRef: {name: tracked}}
                                  tasks: [{name: hellaswag}]
                                """,
                                EvalJob.class))
                .create();

        awaitEval("tracked-later", JobState.Succeeded);
        // the operator's status patches leave the trainer's field alone
        FineTuneJob done = awaitState(client, "tracked", JobState.Succeeded, TIMEOUT);
        assertThat(done.getStatus().mlflow.runId).isEqualTo(runId);
        EvalJob seen =
                Serialization.unmarshal(
                        client.configMaps()
                                .withName("tracked-later-ej-job")
                                .get()
                                .getData()
                                .get("job.yaml"),
                        EvalJob.class);
        assertThat(seen.getSpec().tracking.runId).isEqualTo(runId);
        assertThat(seen.getSpec().tracking.mlflow.trackingUri)
                .isEqualTo("http://mlflow.example:5000");
        assertThat(
                        client.batch()
                                .v1()
                                .jobs()
                                .withName("tracked-later-ej-1")
                                .get()
                                .getSpec()
                                .getTemplate()
                                .getSpec()
                                .getContainers()
                                .get(0)
                                .getEnv())
                .anySatisfy(
                        e -> {
                            assertThat(e.getName()).isEqualTo("MLFLOW_TRACKING_TOKEN");
                            assertThat(e.getValueFrom().getSecretKeyRef().getName())
                                    .isEqualTo("mlflow-credentials");
                        });
    }

    private static EvalJob awaitEval(String name, JobState state) {
        long end = System.nanoTime() + TIMEOUT.toNanos();
        EvalJob last = null;
        while (System.nanoTime() < end) {
            last = client.resources(EvalJob.class).withName(name).get();
            if (last != null && last.getStatus() != null && last.getStatus().state == state) {
                return last;
            }
            Jobs.sleep(200);
        }
        throw new AssertionError(
                "EvalJob "
                        + name
                        + " not "
                        + state
                        + ": "
                        + (last == null ? "absent" : Serialization.asYaml(last.getStatus())));
    }

    private static void applyResultsAsTrainer(String name, double accNorm) {
        Jobs.applyStatusAsTrainer(
                client,
                EvalJob.class,
                name,
                Map.of(
                        "results",
                        List.of(
                                Map.of(
                                        "task",
                                        "hellaswag",
                                        "acc",
                                        0.25,
                                        "accNorm",
                                        accNorm,
                                        "n",
                                        10)),
                        "task",
                        "hellaswag",
                        "score",
                        accNorm));
    }
}
