package io.kubetune.operator.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.kubetune.api.v1alpha1.ConditionTypes;
import io.kubetune.api.v1alpha1.JobState;
import io.kubetune.api.v1alpha1.JobStatus;
import io.kubetune.api.v1alpha1.Reasons;
import io.kubetune.operator.lifecycle.OperatorReasons;

/**
 * The states of a job as state + conditions + message, one method per state, so that every path of
 * the reconciler writes them the same way.
 */
public final class Transitions {
    private final JobStatus st;
    private final Long generation;
    private final String now;

    public Transitions(JobStatus status, Long generation, String now) {
        this.st = status;
        this.generation = generation;
        this.now = now;
    }

    public void pending(String reason, String message) {
        st.state = JobState.Pending;
        st.message = message;
        set(ConditionTypes.RUNNING, "False", reason, message);
        clear(ConditionTypes.SUSPENDED, reason);
    }

    /** Pending while Kueue holds the Job: the Suspended condition says so too. */
    public void awaitingAdmission(String message) {
        st.state = JobState.Pending;
        st.message = message;
        set(ConditionTypes.RUNNING, "False", Reasons.AWAITING_ADMISSION, message);
        set(ConditionTypes.SUSPENDED, "True", Reasons.AWAITING_ADMISSION, message);
    }

    public void running(String message) {
        st.state = JobState.Running;
        st.message = message;
        set(ConditionTypes.RUNNING, "True", Reasons.TRAINER_RUNNING, message);
        clear(ConditionTypes.SUSPENDED, Reasons.TRAINER_RUNNING);
    }

    public void suspended(String message) {
        st.state = JobState.Suspended;
        st.message = message;
        set(ConditionTypes.SUSPENDED, "True", Reasons.SUSPENDED_BY_USER, message);
        set(ConditionTypes.RUNNING, "False", Reasons.SUSPENDED_BY_USER, message);
    }

    public void evaluating(String message) {
        st.state = JobState.Evaluating;
        st.message = message;
        set(ConditionTypes.RUNNING, "False", Reasons.COMPLETED, "training finished");
        set(ConditionTypes.EVALUATED, "Unknown", Reasons.JOB_CREATED, message);
    }

    public void succeeded(String message) {
        st.state = JobState.Succeeded;
        st.message = message;
        set(ConditionTypes.RUNNING, "False", Reasons.COMPLETED, message);
        set(ConditionTypes.SUCCEEDED, "True", Reasons.COMPLETED, message);
        finished();
    }

    public void failed(String reason, String message) {
        st.state = JobState.Failed;
        st.message = message;
        set(ConditionTypes.RUNNING, "False", reason, message);
        set(ConditionTypes.FAILED, "True", reason, message);
        finished();
    }

    public void evaluated(boolean ok, String message) {
        set(
                ConditionTypes.EVALUATED,
                ok ? "True" : "False",
                ok ? Reasons.EVAL_SUCCEEDED : Reasons.EVAL_FAILED,
                message);
    }

    /** An API call the job needs was refused: the job stays where it was, the reason says why. */
    public void notReconciled(String reason, String message) {
        set(ConditionTypes.RECONCILED, "False", reason, message);
    }

    /** What was refused went through: Reconciled True again (and never added before a refusal). */
    public void reconciled() {
        Condition old = Conditions.find(st.conditions, ConditionTypes.RECONCILED);
        if (old != null && !"True".equals(old.getStatus())) {
            set(
                    ConditionTypes.RECONCILED,
                    "True",
                    OperatorReasons.RECONCILED,
                    "recovered from " + old.getReason());
        }
    }

    private void finished() {
        if (st.completionTime == null) {
            st.completionTime = now;
        }
    }

    private void set(String type, String status, String reason, String message) {
        st.conditions =
                Conditions.set(st.conditions, type, status, reason, message, generation, now);
    }

    private void clear(String type, String reason) {
        st.conditions = Conditions.clear(st.conditions, type, reason, generation, now);
    }

    public static boolean terminal(JobState state) {
        return state == JobState.Succeeded || state == JobState.Failed;
    }
}
