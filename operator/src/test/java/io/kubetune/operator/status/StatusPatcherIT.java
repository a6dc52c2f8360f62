package io.kubetune.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.kubetune.api.v1alpha1.FineTuneJob;
import io.kubetune.api.v1alpha1.FineTuneJobStatus;
import io.kubetune.api.v1alpha1.JobState;
import io.kubetune.api.v1alpha1.Reasons;
import io.kubetune.testing.RealCluster;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A reconcile can get an informer copy older than the operator's last status patch; the patcher
 * must build on what it wrote, not write the stale conditions back (real API server).
 */
@RealCluster
class StatusPatcherIT {
    private static final String JOB =
            """
            apiVersion: kubetune.io/v1alpha1
            kind: FineTuneJob
            metadata:
              name: stale
            spec:
              model: {uri: s3://kubetune-test/models/tiny}
              datasets: [{uri: s3://kubetune-test/data/tiny.jsonl, format: alpaca}]
              training: {maxSteps: 4}
              output: {uri: s3://kubetune-test/stale}
            """;

    @Test
    void aStaleCopyIsReadAsTheOperatorLastWroteIt(KubernetesClient client) {
        StatusPatcher patcher = new StatusPatcher(Set.of("progress", "lastCheckpoint"));
        FineTuneJob created =
                client.resource(Serialization.unmarshal(JOB, FineTuneJob.class)).create();

        FineTuneJobStatus suspended = new FineTuneJobStatus();
        new Transitions(suspended, 1L, "2026-01-01T00:00:00Z").suspended("spec.suspend");
        assertThat(patcher.patchIfChanged(client, created, suspended)).isTrue();
        FineTuneJob afterFirst = client.resources(FineTuneJob.class).withName("stale").get();
        FineTuneJobStatus resuming = patcher.freshest(afterFirst, FineTuneJobStatus.class);
        new Transitions(resuming, 1L, "2026-01-01T00:01:00Z")
                .pending(Reasons.RESUMING, "attempt 2 resumes");
        assertThat(patcher.patchIfChanged(client, afterFirst, resuming)).isTrue();

        // a reconcile that still sees the copy from before the Resuming patch
        FineTuneJobStatus seen = patcher.freshest(afterFirst, FineTuneJobStatus.class);
        assertThat(seen.state).isEqualTo(JobState.Pending);
        assertThat(Conditions.find(seen.conditions, "Suspended").getReason())
                .isEqualTo(Reasons.RESUMING);
        new Transitions(seen, 1L, "2026-01-01T00:02:00Z")
                .pending(Reasons.JOB_CREATED, "waiting for the pod");
        patcher.patchIfChanged(client, afterFirst, seen);

        FineTuneJob now = client.resources(FineTuneJob.class).withName("stale").get();
        assertThat(Conditions.find(now.getStatus().conditions, "Suspended").getReason())
                .as("the stale Suspended=True was not written back over Resuming")
                .isEqualTo(Reasons.RESUMING);
        // an up-to-date copy is read as it is
        assertThat(patcher.freshest(now, FineTuneJobStatus.class).message)
                .isEqualTo(now.getStatus().message);
    }
}
