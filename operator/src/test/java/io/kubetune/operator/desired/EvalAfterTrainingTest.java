package io.kubetune.operator.desired;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubetune.api.v1alpha1.EvalJob;
import io.kubetune.api.v1alpha1.EvalTaskName;
import io.kubetune.api.v1alpha1.FineTuneJob;
import io.kubetune.api.v1alpha1.MlflowRunRef;
import io.kubetune.api.v1alpha1.MlflowSpec;
import io.kubetune.api.v1alpha1.SecretReference;
import io.kubetune.api.v1alpha1.TrackingSpec;
import org.junit.jupiter.api.Test;

class EvalAfterTrainingTest {

    @Test
    void evaluatesTheNewAdapterOnTheSameModelAndResourcesOwnedByTheFineTuneJob() {
        FineTuneJob ftj = TestJobs.fineTuneJob();
        ftj.getSpec().queueName = "team-a";

        EvalJob ej = EvalAfterTraining.build(ftj, "s3://runs/moby/adapter", null);

        assertThat(ej.getMetadata().getName()).isEqualTo("moby-eval");
        assertThat(ej.getMetadata().getNamespace()).isEqualTo("team-a");
        assertThat(ej.getMetadata().getOwnerReferences())
                .singleElement()
                .satisfies(
                        o -> {
                            assertThat(o.getKind()).isEqualTo("FineTuneJob");
                            assertThat(o.getController()).isTrue();
                        });
        assertThat(ej.getSpec().model.uri).isEqualTo("s3://models/tiny-llama");
        assertThat(ej.getSpec().model.secretRef.name).isEqualTo("hf-token");
        assertThat(ej.getSpec().adapter.uri).isEqualTo("s3://runs/moby/adapter");
        assertThat(ej.getSpec().adapter.fineTuneJobRef).isNull();
        assertThat(ej.getSpec().adapter.secretRef.name).isEqualTo("s3-credentials");
        assertThat(ej.getSpec().tasks)
                .extracting(t -> t.name)
                .containsExactly(EvalTaskName.HELLASWAG);
        assertThat(ej.getSpec().limit).isEqualTo(10);
        assertThat(ej.getSpec().resources.gpus).isEqualTo(2);
        assertThat(ej.getSpec().queueName).isEqualTo("team-a");
        // a copy: changing the EvalJob's spec leaves the FineTuneJob's alone
        ej.getSpec().resources.gpus = 0;
        assertThat(ftj.getSpec().resources.gpus).isEqualTo(2);
        assertThat(ej.getSpec().tracking).as("the job logs to no MLflow run").isNull();
    }

    @Test
    void logsToTheMlflowRunTheTrainerReported() {
        FineTuneJob ftj = TestJobs.fineTuneJob();
        ftj.getSpec().tracking = new TrackingSpec();
        ftj.getSpec().tracking.mlflow = new MlflowSpec();
        ftj.getSpec().tracking.mlflow.trackingUri = "http://mlflow.mlflow:5000";
        ftj.getSpec().tracking.mlflow.secretRef = new SecretReference("mlflow-credentials");
        MlflowRunRef run = new MlflowRunRef();
        run.runId = "0123456789abcdef0123456789abcdef";

        EvalJob ej = EvalAfterTraining.build(ftj, "s3://runs/moby/adapter", run);

        assertThat(ej.getSpec().tracking.runId).isEqualTo(run.runId);
        assertThat(ej.getSpec().tracking.mlflow.trackingUri).isEqualTo("http://mlflow.mlflow:5000");
        assertThat(ej.getSpec().tracking.mlflow.secretRef.name).isEqualTo("mlflow-credentials");
        // no run reported (the server was down the whole time): nothing to log to
        assertThat(EvalAfterTraining.build(ftj, "s3://runs/moby/adapter", null).getSpec().tracking)
                .isNull();
    }
}
