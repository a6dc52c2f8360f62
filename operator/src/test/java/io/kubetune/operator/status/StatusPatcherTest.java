package io.kubetune.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubetune.api.v1alpha1.FineTuneJob;
import io.kubetune.api.v1alpha1.FineTuneJobStatus;
import io.kubetune.api.v1alpha1.JobState;
import io.kubetune.api.v1alpha1.TrainingProgress;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StatusPatcherTest {

    @Test
    void neverSendsOrComparesTheTrainersFields() {
        StatusPatcher patcher = new StatusPatcher(Set.of("progress", "lastCheckpoint"));
        FineTuneJobStatus st = new FineTuneJobStatus();
        st.state = JobState.Running;
        st.progress = new TrainingProgress();
        st.progress.step = 3L;

        assertThat(patcher.ownFields(st)).containsKey("state").doesNotContainKey("progress");
    }

    @Test
    void sameOperatorFieldsMakeNoApiCall() {
        StatusPatcher patcher = new StatusPatcher(Set.of("progress", "lastCheckpoint"));
        FineTuneJob job = new FineTuneJob();
        job.setStatus(new FineTuneJobStatus());
        new Transitions(job.getStatus(), 1L, "2026-01-01T00:00:00Z").running("step 1");
        job.getStatus().progress = new TrainingProgress();
        FineTuneJobStatus desired = new FineTuneJobStatus();
        desired.conditions = job.getStatus().conditions;
        desired.state = job.getStatus().state;
        desired.message = job.getStatus().message;

        // no client: any call to the API would throw; the trainer's progress is not compared
        assertThat(patcher.patchIfChanged(null, job, desired)).isFalse();
    }

    @Test
    void conditionsKeepTheirTransitionTimeUntilTheStatusFlips() {
        FineTuneJobStatus st = new FineTuneJobStatus();
        new Transitions(st, 1L, "2026-01-01T00:00:00Z").running("step 1");
        new Transitions(st, 1L, "2026-01-01T00:05:00Z").running("step 1");
        assertThat(Conditions.find(st.conditions, "Running").getLastTransitionTime())
                .isEqualTo("2026-01-01T00:00:00Z");

        new Transitions(st, 1L, "2026-01-01T00:09:00Z").failed("OOMKilled", "too big");
        assertThat(Conditions.find(st.conditions, "Running").getLastTransitionTime())
                .isEqualTo("2026-01-01T00:09:00Z");
        assertThat(Conditions.find(st.conditions, "Failed").getReason()).isEqualTo("OOMKilled");
        assertThat(st.completionTime).isEqualTo("2026-01-01T00:09:00Z");
        assertThat(st.state).isEqualTo(JobState.Failed);
    }
}
