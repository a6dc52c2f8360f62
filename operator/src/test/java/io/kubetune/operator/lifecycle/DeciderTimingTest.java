package io.kubetune.operator.lifecycle;

import static io.kubetune.operator.lifecycle.Cluster.exited;
import static org.assertj.core.api.Assertions.assertThat;

import io.kubetune.api.v1alpha1.JobState;
import io.kubetune.api.v1alpha1.Reasons;
import io.kubetune.operator.lifecycle.Action.Fail;
import io.kubetune.operator.lifecycle.Action.Retry;
import io.kubetune.operator.lifecycle.Action.Wait;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * When the decisions look again and what a launch may turn into: the deadline left to a retry, the
 * TTL, a preparation that waits or fails. The lifecycle table itself: {@link DeciderTest}.
 */
class DeciderTimingTest {

    @Test
    void aRetryResumesAsTheNextAttemptWithWhatIsLeftOfTheDeadline() {
        Cluster c =
                new Cluster()
                        .spec(s -> s.activeDeadlineSeconds = 900L)
                        .job(1)
                        .pod(1, exited(75, "Error"));

        Decision d = Decider.decide(c.observation());

        Retry retry = (Retry) d.action();
        assertThat(retry.attempt()).isEqualTo(2);
        assertThat(retry.deadlineSeconds()).isEqualTo(300L); // started 10 minutes ago
        assertThat(d.status().attempts).isEqualTo(2);
        assertThat(d.requeueAfter()).contains(Duration.ofSeconds(60));
    }

    @Test
    void theTtlIsWaitedForExactly() {
        Cluster c =
                new Cluster()
                        .spec(s -> s.ttlSecondsAfterFinished = 60L)
                        .ended(JobState.Succeeded, Duration.ofSeconds(5));

        assertThat(Decider.decide(c.observation()).requeueAfter()).contains(Duration.ofSeconds(56));
        assertThat(
                        Decider.decide(
                                        new Cluster()
                                                .ended(JobState.Succeeded, Duration.ZERO)
                                                .observation())
                                .requeueAfter())
                .isEmpty();
    }

    @Test
    void aLaunchWaitsOrFailsOnItsPreparation() {
        Observation seen = new Cluster().observation();
        Decision start = Decider.decide(seen);

        Decision waits =
                Decider.prepared(seen, start, Preparation.waiting("AwaitingAdapter", "not yet"));
        Decision fails =
                Decider.prepared(
                        seen,
                        Decider.decide(seen),
                        Preparation.failed(Reasons.INVALID_SPEC, "spec.image: not allowed"));

        assertThat(waits.action()).isInstanceOf(Wait.class);
        assertThat(waits.status().state).isEqualTo(JobState.Pending);
        assertThat(waits.requeueAfter()).contains(Duration.ofSeconds(60));
        assertThat(fails.action()).isInstanceOf(Fail.class);
        assertThat(fails.status().state).isEqualTo(JobState.Failed);
        assertThat(fails.status().message).isEqualTo("spec.image: not allowed");
        assertThat(fails.requeueAfter()).as("no TTL, nothing to wait for").isEmpty();
        assertThat(fails.warnings())
                .extracting(Decision.Warning::reason)
                .containsExactly(Reasons.INVALID_SPEC);
    }

    @Test
    void waitingForADependencyNeitherStartsTheDeadlineNorFreezesTheSpec() {
        Cluster c = new Cluster().spec(s -> s.activeDeadlineSeconds = 60L).startsFrom("sft");
        Observation seen = c.observation();

        Decision waits = Decider.prepared(seen, Decider.decide(seen), c.preparation());

        assertThat(waits.status().message)
                .isEqualTo(
                        "spec.model.fineTuneJobRef: waiting for FineTuneJob sft, which does not"
                                + " exist (yet)");
        assertThat(waits.status().startTime)
                .as("status.startTime freezes the spec (CEL) and starts the deadline")
                .isNull();
        assertThat(waits.status().attempts).isNull();
        assertThat(waits.requeueAfter()).contains(Duration.ofSeconds(60));
    }

    @Test
    void aJobThatCannotStartIsStillDeletedAfterItsTtl() {
        Observation seen = new Cluster().spec(s -> s.ttlSecondsAfterFinished = 30L).observation();

        Decision fails =
                Decider.prepared(
                        seen,
                        Decider.decide(seen),
                        Preparation.failed(Reasons.INVALID_SPEC, "spec.image: not allowed"));

        assertThat(fails.status().completionTime).isEqualTo(Cluster.NOW.toString());
        assertThat(fails.requeueAfter()).contains(Duration.ofSeconds(31));
    }
}
