package io.kubetune.operator.lifecycle;

import static io.kubetune.operator.lifecycle.Cluster.condition;
import static io.kubetune.operator.lifecycle.Cluster.disrupted;
import static io.kubetune.operator.lifecycle.Cluster.exited;
import static io.kubetune.operator.lifecycle.Cluster.heldByKueue;
import static io.kubetune.operator.lifecycle.Cluster.jobCondition;
import static io.kubetune.operator.lifecycle.Cluster.podReason;
import static io.kubetune.operator.lifecycle.Cluster.waiting;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.kubetune.api.v1alpha1.JobState;
import io.kubetune.api.v1alpha1.Reasons;
import io.kubetune.operator.lifecycle.Action.DeleteAfterTtl;
import io.kubetune.operator.lifecycle.Action.Expire;
import io.kubetune.operator.lifecycle.Action.Fail;
import io.kubetune.operator.lifecycle.Action.Resume;
import io.kubetune.operator.lifecycle.Action.Retry;
import io.kubetune.operator.lifecycle.Action.Start;
import io.kubetune.operator.lifecycle.Action.Succeed;
import io.kubetune.operator.lifecycle.Action.Suspend;
import io.kubetune.operator.lifecycle.Action.Wait;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every state and reason of the lifecycle table in operator/README.md, decided without an API
 * server: what is observed, the action, the state and reason it implies, the outcome annotation of
 * the ended Job and the Warning event.
 */
class DeciderTest {
    private static final Set<String> SEEN = new HashSet<>();

    /** One row: the cluster as observed, and what a user would then see. */
    record Row(
            String what,
            Supplier<Cluster> cluster,
            Class<? extends Action> action,
            JobState state,
            String reason,
            String mark,
            String warning) {
        @Override
        public String toString() {
            return what;
        }
    }

    static Row row(
            String what,
            Supplier<Cluster> c,
            Class<? extends Action> action,
            JobState state,
            String reason,
            String mark,
            String warning) {
        return new Row(what, c, action, state, reason, mark, warning);
    }

    static Stream<Row> rows() {
        return Stream.of(
                row(
                        "new job",
                        Cluster::new,
                        Start.class,
                        JobState.Pending,
                        Reasons.JOB_CREATED,
                        null,
                        null),
                row(
                        "suspended before it started",
                        () ->
                                new Cluster()
                                        .spec(
                                                j -> {
                                                    j.getSpec().suspend = true;
                                                    return j;
                                                }),
                        Wait.class,
                        JobState.Suspended,
                        Reasons.SUSPENDED_BY_USER,
                        null,
                        null),
                row(
                        "Job created, pod pending",
                        () -> new Cluster().job(1).pod(1, b -> b),
                        Wait.class,
                        JobState.Pending,
                        Reasons.JOB_CREATED,
                        null,
                        null),
                row(
                        "queued by Kueue",
                        () -> new Cluster().job(1, null, heldByKueue()),
                        Wait.class,
                        JobState.Pending,
                        Reasons.AWAITING_ADMISSION,
                        null,
                        null),
                row(
                        "unschedulable",
                        () ->
                                new Cluster()
                                        .job(1)
                                        .pod(
                                                1,
                                                condition(
                                                        "PodScheduled", "False", "Unschedulable")),
                        Wait.class,
                        JobState.Pending,
                        Reasons.UNSCHEDULABLE,
                        null,
                        Reasons.UNSCHEDULABLE),
                row(
                        "running",
                        () -> new Cluster().job(1).pod(1, Cluster::running),
                        Wait.class,
                        JobState.Running,
                        Reasons.TRAINER_RUNNING,
                        null,
                        null),
                row(
                        "exit 0",
                        () -> new Cluster().job(1).pod(1, exited(0, "Completed")),
                        Succeed.class,
                        null,
                        null,
                        Reasons.COMPLETED,
                        null),
                row(
                        "exit 1: trainer error",
                        () -> new Cluster().job(1).pod(1, exited(1, "Error")),
                        Fail.class,
                        JobState.Failed,
                        Reasons.TRAINER_ERROR,
                        Reasons.TRAINER_ERROR,
                        Reasons.TRAINER_ERROR),
                row(
                        "exit 2: invalid spec",
                        () -> new Cluster().job(1).pod(1, exited(2, "Error")),
                        Fail.class,
                        JobState.Failed,
                        Reasons.INVALID_SPEC,
                        Reasons.INVALID_SPEC,
                        Reasons.INVALID_SPEC),
                row(
                        "exit 3: no GPU",
                        () -> new Cluster().job(1).pod(1, exited(3, "Error")),
                        Fail.class,
                        JobState.Failed,
                        Reasons.NO_GPU,
                        Reasons.NO_GPU,
                        Reasons.NO_GPU),
                row(
                        "other exit code",
                        () -> new Cluster().job(1).pod(1, exited(42, "Error")),
                        Fail.class,
                        JobState.Failed,
                        OperatorReasons.UNEXPECTED_EXIT,
                        OperatorReasons.UNEXPECTED_EXIT,
                        OperatorReasons.UNEXPECTED_EXIT),
                row(
                        "OOMKilled",
                        () -> new Cluster().job(1).pod(1, exited(137, "OOMKilled")),
                        Fail.class,
                        JobState.Failed,
                        Reasons.OOM_KILLED,
                        Reasons.OOM_KILLED,
                        Reasons.OOM_KILLED),
                row(
                        "image pull error",
                        () -> new Cluster().job(1).pod(1, waiting("ImagePullBackOff")),
                        Fail.class,
                        JobState.Failed,
                        Reasons.IMAGE_PULL_ERROR,
                        Reasons.IMAGE_PULL_ERROR,
                        Reasons.IMAGE_PULL_ERROR),
                row(
                        "evicted",
                        () -> new Cluster().job(1).pod(1, podReason("Evicted")),
                        Retry.class,
                        JobState.Pending,
                        Reasons.RESUMING,
                        Reasons.EVICTED,
                        Reasons.EVICTED),
                row(
                        "preempted",
                        () -> new Cluster().job(1).pod(1, disrupted("PreemptionByScheduler")),
                        Retry.class,
                        JobState.Pending,
                        Reasons.RESUMING,
                        Reasons.PREEMPTED,
                        Reasons.PREEMPTED),
                row(
                        "node lost",
                        () -> new Cluster().job(1).pod(1, disrupted("DeletionByTaintManager")),
                        Retry.class,
                        JobState.Pending,
                        Reasons.RESUMING,
                        OperatorReasons.NODE_LOST,
                        OperatorReasons.NODE_LOST),
                row(
                        "exit 75: checkpoint on SIGTERM",
                        () -> new Cluster().job(1).pod(1, exited(75, "Error")),
                        Retry.class,
                        JobState.Pending,
                        Reasons.RESUMING,
                        OperatorReasons.TRAINER_INTERRUPTED,
                        OperatorReasons.TRAINER_INTERRUPTED),
                row(
                        "exit 143, not OOM",
                        () -> new Cluster().job(1).pod(1, exited(143, "Error")),
                        Retry.class,
                        JobState.Pending,
                        Reasons.RESUMING,
                        OperatorReasons.POD_KILLED,
                        OperatorReasons.POD_KILLED),
                row(
                        "pod vanished",
                        () ->
                                new Cluster()
                                        .job(1, null, jobCondition("Failed", "PodFailurePolicy")),
                        Retry.class,
                        JobState.Pending,
                        Reasons.RESUMING,
                        OperatorReasons.POD_KILLED,
                        OperatorReasons.POD_KILLED),
                row(
                        "backoff limit used up",
                        () ->
                                new Cluster()
                                        .spec(
                                                j -> {
                                                    j.getSpec().backoffLimit = 1;
                                                    return j;
                                                })
                                        .job(1, Reasons.EVICTED, b -> b)
                                        .job(2)
                                        .pod(2, exited(75, "Error")),
                        Fail.class,
                        JobState.Failed,
                        Reasons.BACKOFF_LIMIT_EXCEEDED,
                        OperatorReasons.TRAINER_INTERRUPTED,
                        Reasons.BACKOFF_LIMIT_EXCEEDED),
                row(
                        "deadline across attempts",
                        () ->
                                new Cluster()
                                        .spec(
                                                j -> {
                                                    j.getSpec().activeDeadlineSeconds = 60L;
                                                    return j;
                                                })
                                        .job(1)
                                        .pod(1, Cluster::running),
                        Expire.class,
                        JobState.Failed,
                        Reasons.DEADLINE_EXCEEDED,
                        null,
                        Reasons.DEADLINE_EXCEEDED),
                row(
                        "the Job's own deadline",
                        () ->
                                new Cluster()
                                        .job(1, null, jobCondition("Failed", "DeadlineExceeded")),
                        Fail.class,
                        JobState.Failed,
                        Reasons.DEADLINE_EXCEEDED,
                        Reasons.DEADLINE_EXCEEDED,
                        Reasons.DEADLINE_EXCEEDED),
                row(
                        "suspend a running attempt",
                        () ->
                                new Cluster()
                                        .spec(
                                                j -> {
                                                    j.getSpec().suspend = true;
                                                    return j;
                                                })
                                        .job(1)
                                        .pod(1, Cluster::running),
                        Suspend.class,
                        JobState.Suspended,
                        Reasons.SUSPENDED_BY_USER,
                        Reasons.SUSPENDED_BY_USER,
                        null),
                row(
                        "stays suspended",
                        () ->
                                new Cluster()
                                        .spec(
                                                j -> {
                                                    j.getSpec().suspend = true;
                                                    return j;
                                                })
                                        .job(1, Reasons.SUSPENDED_BY_USER, b -> b),
                        Wait.class,
                        JobState.Suspended,
                        Reasons.SUSPENDED_BY_USER,
                        null,
                        null),
                row(
                        "resume after suspension",
                        () -> new Cluster().job(1, Reasons.SUSPENDED_BY_USER, b -> b),
                        Resume.class,
                        JobState.Pending,
                        Reasons.RESUMING,
                        null,
                        null),
                row(
                        "operator restart: annotated Job, pod gone",
                        () ->
                                new Cluster()
                                        .job(
                                                1,
                                                Reasons.EVICTED,
                                                jobCondition("Failed", "PodFailurePolicy")),
                        Retry.class,
                        JobState.Pending,
                        Reasons.RESUMING,
                        null,
                        Reasons.EVICTED),
                row(
                        "operator restart: retries counted from the annotations",
                        () ->
                                new Cluster()
                                        .spec(
                                                j -> {
                                                    j.getSpec().backoffLimit = 1;
                                                    return j;
                                                })
                                        .job(1, Reasons.PREEMPTED, b -> b)
                                        .job(2, OperatorReasons.POD_KILLED, b -> b),
                        Fail.class,
                        JobState.Failed,
                        Reasons.BACKOFF_LIMIT_EXCEEDED,
                        null,
                        Reasons.BACKOFF_LIMIT_EXCEEDED),
                row(
                        "finished, TTL not passed",
                        () ->
                                new Cluster()
                                        .spec(
                                                j -> {
                                                    j.getSpec().ttlSecondsAfterFinished = 60L;
                                                    return j;
                                                })
                                        .ended(JobState.Succeeded, Duration.ofSeconds(5)),
                        Wait.class,
                        JobState.Succeeded,
                        null,
                        null,
                        null),
                row(
                        "finished, TTL passed",
                        () ->
                                new Cluster()
                                        .spec(
                                                j -> {
                                                    j.getSpec().ttlSecondsAfterFinished = 60L;
                                                    return j;
                                                })
                                        .ended(JobState.Failed, Duration.ofSeconds(120)),
                        DeleteAfterTtl.class,
                        JobState.Failed,
                        null,
                        null,
                        null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void decides(Row row) {
        Observation seen = row.cluster().get().observation();
        String before = Serialization.asJson(seen.status());
        Decision d = Decider.decide(seen);

        assertThat(d.action()).as("action").isInstanceOf(row.action());
        assertThat(d.status().state).as("state").isEqualTo(row.state());
        if (row.reason() != null) {
            assertThat(d.status().conditions)
                    .as("conditions")
                    .extracting(Condition::getReason)
                    .contains(row.reason());
        }
        assertThat(d.outcomeMark())
                .as("outcome annotation")
                .isEqualTo(java.util.Optional.ofNullable(row.mark()));
        assertThat(d.warnings())
                .as("Warning events")
                .extracting(Decision.Warning::reason)
                .isEqualTo(row.warning() == null ? List.of() : List.of(row.warning()));
        d.status().conditions.forEach(c -> SEEN.add(c.getReason()));
        d.warnings().forEach(w -> SEEN.add(w.reason()));
        d.outcomeMark().ifPresent(SEEN::add);
        assertThat(Serialization.asJson(seen.status()))
                .as("the observed status is not changed")
                .isEqualTo(before);
    }

    @Test
    void aRetryResumesAsTheNextAttemptWithWhatIsLeftOfTheDeadline() {
        Cluster c =
                new Cluster()
                        .spec(
                                j -> {
                                    j.getSpec().activeDeadlineSeconds = 900L;
                                    return j;
                                })
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
                        .spec(
                                j -> {
                                    j.getSpec().ttlSecondsAfterFinished = 60L;
                                    return j;
                                })
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
    void aJobThatCannotStartIsStillDeletedAfterItsTtl() {
        Observation seen =
                new Cluster()
                        .spec(
                                j -> {
                                    j.getSpec().ttlSecondsAfterFinished = 30L;
                                    return j;
                                })
                        .observation();

        Decision fails =
                Decider.prepared(
                        seen,
                        Decider.decide(seen),
                        Preparation.failed(Reasons.INVALID_SPEC, "spec.image: not allowed"));

        assertThat(fails.status().completionTime).isEqualTo(Cluster.NOW.toString());
        assertThat(fails.requeueAfter()).contains(Duration.ofSeconds(31));
    }

    /**
     * Every reason of Reasons and OperatorReasons shows up in the table above, except those decided
     * elsewhere: API errors and ownership ({@code ApiErrorsTest}), the evaluation after training
     * ({@code EvalAfterTrainingIT}).
     */
    @AfterAll
    static void everyReasonIsCovered() throws IllegalAccessException {
        Set<String> elsewhere =
                Set.of(
                        Reasons.RESOURCE_CONFLICT,
                        Reasons.EVAL_SUCCEEDED,
                        Reasons.EVAL_FAILED,
                        OperatorReasons.RECONCILED,
                        OperatorReasons.QUOTA_EXCEEDED,
                        OperatorReasons.ADMISSION_REFUSED,
                        OperatorReasons.PERMISSION_DENIED,
                        OperatorReasons.API_CONFLICT,
                        OperatorReasons.API_ERROR);
        Set<String> all = new HashSet<>();
        for (Class<?> c : List.of(Reasons.class, OperatorReasons.class)) {
            for (Field f : c.getFields()) {
                if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                    all.add((String) f.get(null));
                }
            }
        }
        all.removeAll(elsewhere);
        if (SEEN.size() > 5) { // the whole table ran, not one row picked by hand
            assertThat(SEEN).as("reasons the table covers").containsAll(all);
        }
        assertThat(Arrays.asList(elsewhere.toArray()))
                .doesNotContainAnyElementsOf(
                        SEEN.stream().filter(r -> !r.equals(Reasons.COMPLETED)).toList());
    }
}
