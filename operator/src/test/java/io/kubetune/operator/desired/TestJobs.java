package io.kubetune.operator.desired;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.kubetune.api.v1alpha1.EvalJob;
import io.kubetune.api.v1alpha1.FineTuneJob;

/** FineTuneJobs and EvalJobs as a user writes them, with the metadata the API server adds. */
public final class TestJobs {
    private TestJobs() {}

    public static final String FINE_TUNE_JOB =
            """
            apiVersion: kubetune.io/v1alpha1
            kind: FineTuneJob
            metadata:
              name: moby
              namespace: team-a
              uid: 6f1c2d3e-0000-4000-8000-000000000001
              generation: 1
            spec:
              model:
                uri: s3://models/tiny-llama
                secretRef: {name: hf-token}
              datasets:
                - uri: s3://data/wordnet.jsonl
                  format: alpaca
              training: {maxSteps: 4}
              output:
                uri: s3://runs/moby
                secretRef: {name: s3-credentials}
              evaluation:
                tasks: [{name: hellaswag}]
                limit: 10
              resources:
                gpus: 2
                cpu: "8"
                memory: 32Gi
                nodeSelector: {pool: gpu}
                tolerations:
                  - {key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}
              activeDeadlineSeconds: 3600
            """;

    public static FineTuneJob fineTuneJob() {
        return Serialization.unmarshal(FINE_TUNE_JOB, FineTuneJob.class);
    }

    public static FineTuneJob cpuFineTuneJob() {
        FineTuneJob j = fineTuneJob();
        j.getSpec().resources = null;
        return j;
    }

    public static EvalJob evalJob() {
        return Serialization.unmarshal(
                """
                apiVersion: kubetune.io/v1alpha1
                kind: EvalJob
                metadata: {name: moby-eval, namespace: team-a, uid: 6f1c2d3e-0000-4000-8000-000000000002}
                spec:
                  model: {uri: s3://models/tiny-llama}
                  adapter: {fineTuneJobRef: {name: moby}}
                  tasks: [{name: hellaswag}]
                """,
                EvalJob.class);
    }
}
