package io.kubetune.operator.desired;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.kubetune.api.v1alpha1.AdapterSource;
import io.kubetune.api.v1alpha1.EvalJob;
import io.kubetune.api.v1alpha1.EvalJobSpec;
import io.kubetune.api.v1alpha1.EvalTrackingSpec;
import io.kubetune.api.v1alpha1.FineTuneJob;
import io.kubetune.api.v1alpha1.MlflowRunRef;
import io.kubetune.api.v1alpha1.MlflowSpec;
import io.kubetune.api.v1alpha1.ModelSource;
import io.kubetune.api.v1alpha1.ResourcesSpec;

/**
 * The EvalJob a FineTuneJob's spec.evaluation asks for: the same base model with the new adapter,
 * on the same resources, logging to the same MLflow run, owned by the FineTuneJob (deleted with
 * it).
 */
public final class EvalAfterTraining {
    private EvalAfterTraining() {}

    /** {@code <name>-eval}. */
    public static String name(FineTuneJob ftj) {
        return Names.fit(ftj.getMetadata().getName(), "-eval", 253);
    }

    /**
     * The MLflow run an evaluation of {@code ftj}'s output logs to: its server and credentials and
     * the run it created; null when it has none.
     */
    public static EvalTrackingSpec tracking(FineTuneJob ftj, MlflowRunRef run) {
        if (ftj.getSpec().tracking == null
                || ftj.getSpec().tracking.mlflow == null
                || run == null
                || run.runId == null) {
            return null;
        }
        EvalTrackingSpec tracking = new EvalTrackingSpec();
        tracking.mlflow =
                Serialization.jsonMapper()
                        .convertValue(ftj.getSpec().tracking.mlflow, MlflowSpec.class);
        tracking.runId = run.runId;
        return tracking;
    }

    /**
     * @param run the MLflow run the trainer reported (status.mlflow), or null
     */
    public static EvalJob build(FineTuneJob ftj, String adapterUri, MlflowRunRef run) {
        EvalJob ej = new EvalJob();
        ej.setMetadata(Owners.metadata(ftj, name(ftj)));
        EvalJobSpec spec = new EvalJobSpec();
        spec.model =
                Serialization.jsonMapper().convertValue(ftj.getSpec().model, ModelSource.class);
        spec.adapter = new AdapterSource();
        spec.adapter.uri = adapterUri;
        spec.adapter.secretRef = ftj.getSpec().output.secretRef;
        spec.tasks = ftj.getSpec().evaluation.tasks;
        spec.limit = ftj.getSpec().evaluation.limit;
        spec.resources =
                ftj.getSpec().resources == null
                        ? null
                        : Serialization.jsonMapper()
                                .convertValue(ftj.getSpec().resources, ResourcesSpec.class);
        spec.image = ftj.getSpec().image;
        spec.queueName = ftj.getSpec().queueName;
        spec.backoffLimit = ftj.getSpec().backoffLimit;
        spec.tracking = tracking(ftj, run);
        ej.setSpec(spec);
        return ej;
    }
}
