package io.kubetune.trainer.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kubetune.api.v1alpha1.EvalJob;
import io.kubetune.api.v1alpha1.EvalJobStatus;
import io.kubetune.api.v1alpha1.EvalResult;
import io.kubetune.api.v1alpha1.TrainerContract;
import io.kubetune.api.v1alpha1.TrainerResult;
import io.kubetune.testing.RealCluster;
import io.kubetune.testing.TestEnvironment;
import io.kubetune.testing.TestNamespace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kubetune eval evaljob.yaml} puts its results on the EvalJob's status. */
@RealCluster
class EvalJobStatusIT {
    @TempDir Path dir;

    private static String yaml(String name, String namespace, String adapter) {
        Path hellaswag = Path.of("src/test/resources/eval/hellaswag_items.jsonl").toAbsolutePath();
        return """
                apiVersion: kubetune.io/v1alpha1
                kind: EvalJob
                metadata:
                  name: %s
                  namespace: %s
                spec:
                  model:
                    uri: %s
                %s  tasks:
                    - name: hellaswag
                      dataUri: %s
                  limit: 6
                  batchSize: 4
                """
                .formatted(name, namespace, TinyJobs.model(), adapter, hellaswag);
    }

    @Test
    void resultsTaskAndScoreAppearOnTheEvalJob(KubernetesClient client, TestNamespace ns)
            throws Exception {
        String name = "hellaswag-tiny";
        String yaml = yaml(name, ns.name(), "");
        client.resources(EvalJob.class)
                .resource(client.getKubernetesSerialization().unmarshal(yaml, EvalJob.class))
                .create();
        String token = TrainerRbac.token(client, TrainerRbac.grant(client, "evaljobs", name));
        Map<String, String> env =
                new HashMap<>(
                        TrainerProcess.inClusterEnv(
                                TestEnvironment.get().config(ns.name()), token, ns.name(), dir));
        env.put(TrainerContract.REPORT_STATUS_ENV, "true");
        env.put(TerminationMessage.PATH_ENV, dir.resolve("termination-log").toString());
        Path log = dir.resolve("eval.log");

        Process eval =
                TrainerProcess.start(
                        dir,
                        env,
                        log,
                        "eval",
                        Files.writeString(dir.resolve("job.yaml"), yaml).toString(),
                        "--output",
                        dir.resolve("out").toString());

        assertThat(eval.waitFor(3, TimeUnit.MINUTES)).isTrue();
        assertThat(eval.exitValue()).as(Files.readString(log)).isZero();
        EvalJob job = client.resources(EvalJob.class).withName(name).get();
        EvalJobStatus status = job.getStatus();
        assertThat(status.task).isEqualTo("hellaswag");
        assertThat(status.results)
                .singleElement()
                .satisfies(
                        r -> {
                            assertThat(r.task).isEqualTo("hellaswag");
                            assertThat(r.n).isEqualTo(6);
                            assertThat(r.accNorm).isBetween(0.0, 1.0);
                            assertThat(r.model).isEqualTo(TinyJobs.model().toString());
                        });
        assertThat(status.score).isEqualTo(status.results.get(0).accNorm);
        assertThat(job.getMetadata().getManagedFields())
                .filteredOn(m -> TrainerContract.TRAINER_FIELD_MANAGER.equals(m.getManager()))
                .singleElement()
                .satisfies(
                        (ManagedFieldsEntry m) ->
                                assertThat(StatusReportingIT.statusFields(m))
                                        .containsOnlyKeys("f:results", "f:task", "f:score"));
        TrainerResult result =
                client.getKubernetesSerialization()
                        .unmarshal(
                                Files.readString(dir.resolve("termination-log")),
                                TrainerResult.class);
        assertThat(result.evalResults)
                .extracting((EvalResult r) -> r.accNorm)
                .containsExactly(status.score);
        assertThat(dir.resolve("out/hellaswag.json")).exists();
    }

    @Test
    void anAdapterReferenceTheOperatorDidNotResolveIsAnInvalidSpec(TestNamespace ns)
            throws Exception {
        String yaml =
                yaml(
                        "unresolved",
                        ns.name(),
                        "  adapter:\n    fineTuneJobRef:\n      name: wordnet\n");
        Path messageFile = dir.resolve("termination-log");

        Process eval =
                TrainerProcess.start(
                        dir,
                        Map.of(TerminationMessage.PATH_ENV, messageFile.toString()),
                        dir.resolve("eval.log"),
                        "eval",
                        Files.writeString(dir.resolve("job.yaml"), yaml).toString());

        assertThat(eval.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(eval.exitValue()).isEqualTo(TrainerContract.EXIT_INVALID_SPEC);
        assertThat(Files.readString(messageFile))
                .contains("spec.adapter.fineTuneJobRef wordnet has no spec.adapter.uri");
    }
}
