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
import io.fabric8.kubernetes.api.model.PodBuilder;
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
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every state and reason of the lifecycle table in operator/README.md, decided without an API
 * server: what is observed, the action, the state and reason it implies, the outcome annotation of
 * the ended Job and the Warning event. Deadlines, the TTL and preparations: {@link
 * DeciderTimingTest}.
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
        Row then(Class<? extends Action> action, JobState state, String reason) {
            return new Row(what, cluster, action, state, reason, mark, warning);
        }

        /** The ended Job is annotated with this outcome. */
        Row marks(String mark) {
            return new Row(what, cluster, action, state, reason, mark, warning);
        }

        /** A Warning event with this reason. */
        Row warns(String warning) {
            return new Row(what, cluster, action, state, reason, mark, warning);
        }

        /** Failed for {@code why}: the Job annotated and a Warning, both with that reason. */
        Row fails(String why) {
            return then(Fail.class, JobState.Failed, why).marks(why).warns(why);
        }

        /** A new attempt resumes after {@code why}: the Job annotated, a Warning. */
        Row retries(String why) {
            return then(Retry.class, JobState.Pending, Reasons.RESUMING).marks(why).warns(why);
        }

        @Override
        public String toString() {
            return what;
        }
    }

    static Row given(String what, Supplier<Cluster> cluster) {
        return new Row(what, cluster, null, null, null, null, null);
    }

    static Stream<Row> rows() {
        return Stream.of(
                given("new job", Cluster::new)
                        .then(Start.class, JobState.Pending, Reasons.JOB_CREATED),
                given(
                                "suspended before it started",
                                () -> new Cluster().spec(s -> s.suspend = true))
                        .then(Wait.class, JobState.Suspended, Reasons.SUSPENDED_BY_USER),
                given("Job created, pod pending", () -> pod(b -> b))
                        .then(Wait.class, JobState.Pending, Reasons.JOB_CREATED),
                given("queued by Kueue", () -> new Cluster().job(1, null, heldByKueue()))
                        .then(Wait.class, JobState.Pending, Reasons.AWAITING_ADMISSION),
                given(
                                "unschedulable",
                                () -> pod(condition("PodScheduled", "False", "Unschedulable")))
                        .then(Wait.class, JobState.Pending, Reasons.UNSCHEDULABLE)
                        .warns(Reasons.UNSCHEDULABLE),
                given("running", () -> pod(Cluster::running))
                        .then(Wait.class, JobState.Running, Reasons.TRAINER_RUNNING),
                given("exit 0", () -> pod(exited(0, "Completed")))
                        .then(Succeed.class, null, null)
                        .marks(Reasons.COMPLETED),
                given("exit 1: trainer error", () -> pod(exited(1, "Error")))
                        .fails(Reasons.TRAINER_ERROR),
                given("exit 2: invalid spec", () -> pod(exited(2, "Error")))
                        .fails(Reasons.INVALID_SPEC),
                given("exit 3: no GPU", () -> pod(exited(3, "Error"))).fails(Reasons.NO_GPU),
                given("other exit code", () -> pod(exited(42, "Error")))
                        .fails(OperatorReasons.UNEXPECTED_EXIT),
                given("OOMKilled", () -> pod(exited(137, "OOMKilled"))).fails(Reasons.OOM_KILLED),
                given("image pull error", () -> pod(waiting("ImagePullBackOff")))
                        .fails(Reasons.IMAGE_PULL_ERROR),
                given("evicted", () -> pod(podReason("Evicted"))).retries(Reasons.EVICTED),
                given("preempted", () -> pod(disrupted("PreemptionByScheduler")))
                        .retries(Reasons.PREEMPTED),
                given("node lost", () -> pod(disrupted("DeletionByTaintManager")))
                        .retries(OperatorReasons.NODE_LOST),
                given("exit 75: checkpoint on SIGTERM", () -> pod(exited(75, "Error")))
                        .retries(OperatorReasons.TRAINER_INTERRUPTED),
                given("exit 143, not OOM", () -> pod(exited(143, "Error")))
                        .retries(OperatorReasons.POD_KILLED),
                given(
                                "pod vanished",
                                () ->
                                        new Cluster()
                                                .job(
                                                        1,
                                                        null,
                                                        jobCondition("Failed", "PodFailurePolicy")))
                        .retries(OperatorReasons.POD_KILLED),
                given(
                                "backoff limit used up",
                                () ->
                                        new Cluster()
                                                .spec(s -> s.backoffLimit = 1)
                                                .job(1, Reasons.EVICTED, b -> b)
                                                .job(2)
                                                .pod(2, exited(75, "Error")))
                        .fails(Reasons.BACKOFF_LIMIT_EXCEEDED)
                        .marks(OperatorReasons.TRAINER_INTERRUPTED),
                given(
                                "deadline across attempts",
                                () ->
                                        new Cluster()
                                                .spec(s -> s.activeDeadlineSeconds = 60L)
                                                .job(1)
                                                .pod(1, Cluster::running))
                        .then(Expire.class, JobState.Failed, Reasons.DEADLINE_EXCEEDED)
                        .warns(Reasons.DEADLINE_EXCEEDED),
                given(
                                "the Job's own deadline",
                                () ->
                                        new Cluster()
                                                .job(
                                                        1,
                                                        null,
                                                        jobCondition("Failed", "DeadlineExceeded")))
                        .fails(Reasons.DEADLINE_EXCEEDED),
                given(
                                "suspend a running attempt",
                                () ->
                                        new Cluster()
                                                .spec(s -> s.suspend = true)
                                                .job(1)
                                                .pod(1, Cluster::running))
                        .then(Suspend.class, JobState.Suspended, Reasons.SUSPENDED_BY_USER)
                        .marks(Reasons.SUSPENDED_BY_USER),
                given(
                                "stays suspended",
                                () ->
                                        new Cluster()
                                                .spec(s -> s.suspend = true)
                                                .job(1, Reasons.SUSPENDED_BY_USER, b -> b))
                        .then(Wait.class, JobState.Suspended, Reasons.SUSPENDED_BY_USER),
                given(
                                "resume after suspension",
                                () -> new Cluster().job(1, Reasons.SUSPENDED_BY_USER, b -> b))
                        .then(Resume.class, JobState.Pending, Reasons.RESUMING),
                given(
                                "operator restart: annotated Job, pod gone",
                                () ->
                                        new Cluster()
                                                .job(
                                                        1,
                                                        Reasons.EVICTED,
                                                        jobCondition("Failed", "PodFailurePolicy")))
                        .then(Retry.class, JobState.Pending, Reasons.RESUMING)
                        .warns(Reasons.EVICTED),
                given(
                                "operator restart: retries counted from the annotations",
                                () ->
                                        new Cluster()
                                                .spec(s -> s.backoffLimit = 1)
                                                .job(1, Reasons.PREEMPTED, b -> b)
                                                .job(2, OperatorReasons.POD_KILLED, b -> b))
                        .then(Fail.class, JobState.Failed, Reasons.BACKOFF_LIMIT_EXCEEDED)
                        .warns(Reasons.BACKOFF_LIMIT_EXCEEDED),
                given("its dependency does not exist yet", () -> new Cluster().startsFrom("sft"))
                        .then(Wait.class, JobState.Pending, Reasons.WAITING_FOR_DEPENDENCY),
                given(
                                "its dependency is running",
                                () ->
                                        new Cluster()
                                                .startsFrom("sft")
                                                .other("sft", JobState.Running, null))
                        .then(Wait.class, JobState.Pending, Reasons.WAITING_FOR_DEPENDENCY),
                given(
                                "its dependency succeeded",
                                () ->
                                        new Cluster()
                                                .startsFrom("sft")
                                                .other("sft", JobState.Succeeded, null))
                        .then(Start.class, JobState.Pending, Reasons.JOB_CREATED),
                given(
                                "its LoRA dependency succeeded with an adapter and no merged"
                                        + " model",
                                () ->
                                        new Cluster()
                                                .startsFrom("sft")
                                                .other("sft", JobState.Succeeded, null)
                                                .adapterOnly("sft"))
                        .then(Start.class, JobState.Pending, Reasons.JOB_CREATED),
                given(
                                "its dependency failed",
                                () ->
                                        new Cluster()
                                                .startsFrom("sft")
                                                .other("sft", JobState.Failed, null))
                        .then(Fail.class, JobState.Failed, Reasons.DEPENDENCY_FAILED)
                        .warns(Reasons.DEPENDENCY_FAILED),
                given(
                                "a cycle through its dependency",
                                () ->
                                        new Cluster()
                                                .startsFrom("rm")
                                                .other("rm", JobState.Pending, "sft")
                                                .other("sft", JobState.Pending, "moby"))
                        .then(Fail.class, JobState.Failed, Reasons.INVALID_SPEC)
                        .warns(Reasons.INVALID_SPEC),
                given(
                                "finished, TTL not passed",
                                () ->
                                        new Cluster()
                                                .spec(s -> s.ttlSecondsAfterFinished = 60L)
                                                .ended(JobState.Succeeded, Duration.ofSeconds(5)))
                        .then(Wait.class, JobState.Succeeded, null),
                given(
                                "finished, TTL passed",
                                () ->
                                        new Cluster()
                                                .spec(s -> s.ttlSecondsAfterFinished = 60L)
                                                .ended(JobState.Failed, Duration.ofSeconds(120)))
                        .then(DeleteAfterTtl.class, JobState.Failed, null));
    }

    /** Attempt 1's Job with one pod in {@code state}. */
    private static Cluster pod(UnaryOperator<PodBuilder> state) {
        return new Cluster().job(1).pod(1, state);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void decides(Row row) {
        Cluster cluster = row.cluster().get();
        Observation seen = cluster.observation();
        String before = Serialization.asJson(seen.status());
        Decision d = Decider.prepared(seen, Decider.decide(seen), cluster.preparation());

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
                .isEqualTo(Optional.ofNullable(row.mark()));
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
