package io.kubetune.operator.lifecycle;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.kubetune.api.v1alpha1.JobStatus;
import io.kubetune.api.v1alpha1.Reasons;
import io.kubetune.api.v1alpha1.RunSpec;
import io.kubetune.operator.desired.Names;
import io.kubetune.operator.lifecycle.Action.Launch;
import io.kubetune.operator.lifecycle.AttemptOutcome.Phase;
import io.kubetune.operator.lifecycle.Decision.Warning;
import io.kubetune.operator.status.Transitions;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The lifecycle both kinds share, as one pure function from what is observed to what to do: one Job
 * per attempt, its pod classified, resumable failures retried as new attempts up to
 * spec.backoffLimit, suspend and resume, the deadline across attempts and the TTL after the end. No
 * fields, no client: a table of cases tests it in milliseconds.
 */
public final class Decider {
    private Decider() {}

    public static Decision decide(Observation o) {
        JobStatus st = copy(o.status());
        Transitions to = transitions(o, st);
        if (Transitions.terminal(st.state)) {
            return afterEnd(o, st, new Action.Wait(), List.of());
        }
        List<Job> jobs =
                o.jobs().stream().sorted(Comparator.comparingInt(Attempts::attempt)).toList();
        Job current = jobs.isEmpty() ? null : jobs.get(jobs.size() - 1);
        int attempts = current == null ? 0 : Attempts.attempt(current);
        if (current != null) {
            st.attempts = Math.max(attempts, st.attempts == null ? 0 : st.attempts);
            if (st.startTime == null) {
                st.startTime = jobs.get(0).getMetadata().getCreationTimestamp();
            }
        }
        Duration left = deadlineLeft(o.run(), st, o.now());
        if (left != null && left.isNegative()) {
            String message =
                    "the job ran longer than spec.activeDeadlineSeconds ("
                            + o.run().activeDeadlineSeconds
                            + " s) across its attempts";
            to.failed(Reasons.DEADLINE_EXCEEDED, message);
            return afterEnd(
                    o,
                    st,
                    new Action.Expire(current),
                    List.of(new Warning(Reasons.DEADLINE_EXCEEDED, message)));
        }
        boolean suspend = Boolean.TRUE.equals(o.run().suspend);
        if (current == null) {
            if (suspend) {
                to.suspended("suspended before it started (spec.suspend)");
                return decision(new Action.Wait(), st, null, List.of(), null);
            }
            return launch(o, st, new Action.Start(1, seconds(left)), left, null);
        }
        AttemptOutcome outcome = Attempts.outcomeOf(current, o.pods());
        String mark =
                outcome.finished() && Attempts.annotation(current) == null
                        ? outcome.reason()
                        : null;
        return switch (outcome.phase()) {
            case PENDING, RUNNING -> active(o, st, current, outcome, suspend, left);
            case SUCCEEDED -> decision(new Action.Succeed(outcome), st, null, List.of(), mark);
            case FAILED -> {
                to.failed(outcome.reason(), outcome.message());
                yield marked(
                        afterEnd(
                                o,
                                st,
                                new Action.Fail(current, outcome.reason()),
                                List.of(new Warning(outcome.reason(), outcome.message()))),
                        mark);
            }
            case RESUMABLE, SUSPENDED ->
                    marked(ended(o, st, jobs, current, outcome, suspend, left), mark);
        };
    }

    /**
     * The decision once a launch's preparation is known: it waits (a FineTuneJob it starts from has
     * not succeeded yet) or fails (the spec cannot run, a dependency failed) instead of launching.
     */
    public static Decision prepared(Observation o, Decision d, Preparation prep) {
        if (!(d.action() instanceof Launch) || prep == null) {
            return d;
        }
        Transitions to = transitions(o, d.status());
        String mark = d.outcomeMark().orElse(null);
        if (prep.failReason() != null) {
            to.failed(prep.failReason(), prep.message());
            Warning why = new Warning(prep.failReason(), prep.message());
            Action fail = new Action.Fail(null, prep.failReason());
            return marked(afterEnd(o, d.status(), fail, List.of(why)), mark);
        }
        if (prep.waitReason() != null) {
            // nothing ran: the deadline does not count yet and the spec stays editable
            JobStatus before = o.status();
            d.status().startTime = before == null ? null : before.startTime;
            d.status().attempts = before == null ? null : before.attempts;
            to.pending(prep.waitReason(), prep.message());
            return decision(new Action.Wait(), d.status(), o.resync(), List.of(), mark);
        }
        return d;
    }

    /** The attempt is pending or running. */
    private static Decision active(
            Observation o,
            JobStatus st,
            Job current,
            AttemptOutcome outcome,
            boolean suspend,
            Duration left) {
        Transitions to = transitions(o, st);
        if (suspend) {
            to.suspended("suspending: the trainer writes a checkpoint and stops (spec.suspend)");
            String mark = Attempts.annotation(current) == null ? Reasons.SUSPENDED_BY_USER : null;
            return decision(new Action.Suspend(current), st, o.resync(), List.of(), mark);
        }
        List<Warning> warnings = List.of();
        if (outcome.phase() == Phase.RUNNING) {
            to.running("attempt " + Attempts.attempt(current) + ": " + outcome.message());
        } else if (Reasons.AWAITING_ADMISSION.equals(outcome.reason())) {
            to.awaitingAdmission(outcome.message());
        } else {
            to.pending(outcome.reason(), outcome.message());
            boolean changed =
                    o.status() == null
                            || !java.util.Objects.equals(o.status().message, outcome.message());
            if (Reasons.UNSCHEDULABLE.equals(outcome.reason()) && changed) {
                warnings = List.of(new Warning(outcome.reason(), outcome.message()));
            }
        }
        return decision(new Action.Wait(), st, shorter(o.resync(), left), warnings, null);
    }

    /** The attempt ended in a way a new attempt can resume from (or was suspended). */
    private static Decision ended(
            Observation o,
            JobStatus st,
            List<Job> jobs,
            Job current,
            AttemptOutcome outcome,
            boolean suspend,
            Duration left) {
        Transitions to = transitions(o, st);
        int attempts = Attempts.attempt(current);
        if (suspend) {
            to.suspended("suspended after attempt " + attempts + " (spec.suspend)");
            return decision(new Action.Wait(), st, null, List.of(), null);
        }
        if (outcome.phase() == Phase.SUSPENDED) {
            return launch(
                    o, st, new Action.Resume(current, attempts + 1, seconds(left)), left, outcome);
        }
        // the annotation being written now is not on the observed Job yet
        long retries =
                jobs.stream().filter(Attempts::endedResumable).count()
                        + (Attempts.annotation(current) == null ? 1 : 0);
        int limit = o.run().backoffLimit == null ? 3 : o.run().backoffLimit;
        String what = "attempt " + attempts + " ended (" + outcome.reason() + ": ";
        if (retries > limit) {
            String message =
                    what
                            + outcome.message()
                            + ") and spec.backoffLimit ("
                            + limit
                            + ") resumed attempts were used";
            to.failed(Reasons.BACKOFF_LIMIT_EXCEEDED, message);
            return afterEnd(
                    o,
                    st,
                    new Action.Fail(current, Reasons.BACKOFF_LIMIT_EXCEEDED),
                    List.of(new Warning(Reasons.BACKOFF_LIMIT_EXCEEDED, message)));
        }
        Warning warning =
                new Warning(
                        outcome.reason(),
                        "attempt "
                                + attempts
                                + " ended: "
                                + outcome.message()
                                + "; attempt "
                                + (attempts + 1)
                                + " resumes from the last checkpoint");
        Action.Retry retry =
                new Action.Retry(current, attempts + 1, seconds(left), outcome.reason());
        Decision launched = launch(o, st, retry, left, outcome);
        return launched.with(retry, launched.requeueAfter(), List.of(warning));
    }

    private static Decision launch(
            Observation o, JobStatus st, Launch action, Duration left, AttemptOutcome after) {
        Transitions to = transitions(o, st);
        st.attempts = Math.max(action.attempt(), st.attempts == null ? 0 : st.attempts);
        if (st.startTime == null) {
            st.startTime = now(o);
        }
        if (after == null) {
            String job = Names.job(o.owner(), action.attempt());
            to.pending(Reasons.JOB_CREATED, "Job " + job + " created");
        } else {
            to.pending(
                    Reasons.RESUMING,
                    "attempt "
                            + action.attempt()
                            + " resumes from the last checkpoint after "
                            + after.reason()
                            + ": "
                            + after.message());
        }
        return decision(action, st, shorter(o.resync(), left), List.of(), null);
    }

    /** After the end: wait for spec.ttlSecondsAfterFinished, then delete. */
    private static Decision afterEnd(
            Observation o, JobStatus st, Action action, List<Warning> warnings) {
        Long ttl = o.run().ttlSecondsAfterFinished;
        if (ttl == null || st.completionTime == null) {
            return decision(action, st, null, warnings, null);
        }
        Duration left =
                Duration.between(o.now(), Instant.parse(st.completionTime).plusSeconds(ttl));
        if (action instanceof Action.Wait && (left.isNegative() || left.isZero())) {
            return decision(new Action.DeleteAfterTtl(), st, null, warnings, null);
        }
        Duration next = left.isNegative() ? Duration.ofSeconds(1) : left.plusSeconds(1);
        return decision(action, st, next, warnings, null);
    }

    private static Duration deadlineLeft(RunSpec run, JobStatus st, Instant now) {
        if (run.activeDeadlineSeconds == null || st.startTime == null) {
            return null;
        }
        Instant end = Instant.parse(st.startTime).plusSeconds(run.activeDeadlineSeconds);
        return Duration.between(now, end);
    }

    private static Long seconds(Duration left) {
        return left == null ? null : Math.max(1, left.toSeconds());
    }

    private static Duration shorter(Duration a, Duration b) {
        if (b == null) {
            return a;
        }
        Duration bb = b.isNegative() ? Duration.ofSeconds(1) : b.plusSeconds(1);
        return a.compareTo(bb) <= 0 ? a : bb;
    }

    private static Decision decision(
            Action action, JobStatus st, Duration next, List<Warning> warnings, String mark) {
        return new Decision(
                action, st, Optional.ofNullable(next), warnings, Optional.ofNullable(mark));
    }

    private static Decision marked(Decision d, String mark) {
        return mark == null
                ? d
                : new Decision(
                        d.action(), d.status(), d.requeueAfter(), d.warnings(), Optional.of(mark));
    }

    private static Transitions transitions(Observation o, JobStatus st) {
        return new Transitions(st, o.owner().getMetadata().getGeneration(), now(o));
    }

    private static String now(Observation o) {
        return o.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private static JobStatus copy(JobStatus st) {
        return Serialization.jsonMapper().convertValue(st, st.getClass());
    }
}
