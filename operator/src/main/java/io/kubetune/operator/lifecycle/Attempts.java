package io.kubetune.operator.lifecycle;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.kubetune.api.v1alpha1.Reasons;
import io.kubetune.operator.desired.Labels;
import io.kubetune.operator.lifecycle.AttemptOutcome.Phase;
import java.util.List;
import java.util.Map;

/** What the Job of an attempt says: its number, its outcome annotation, its outcome. */
public final class Attempts {
    /** Job annotation: why the attempt ended; retries are counted from it after a restart. */
    public static final String OUTCOME = "kubetune.io/outcome";

    private Attempts() {}

    /** The outcome of {@code job}, from its annotation (a suspension) or its pods. */
    static AttemptOutcome outcomeOf(Job job, List<Pod> pods) {
        if (Reasons.SUSPENDED_BY_USER.equals(annotation(job))) {
            return AttemptOutcome.of(Phase.SUSPENDED, Reasons.SUSPENDED_BY_USER, "suspended");
        }
        String uid = job.getMetadata().getUid();
        List<Pod> own =
                pods.stream()
                        .filter(
                                p ->
                                        p.getMetadata().getOwnerReferences().stream()
                                                .anyMatch(
                                                        r -> uid != null && uid.equals(r.getUid())))
                        .toList();
        String mark = annotation(job);
        if (own.isEmpty() && mark != null && AttemptOutcome.resumes(mark)) {
            // after an operator restart the pod may be gone: the annotation still says why
            return AttemptOutcome.of(
                    Phase.RESUMABLE, mark, "attempt " + attempt(job) + " ended (" + mark + ")");
        }
        return AttemptClassifier.classify(job, own);
    }

    static boolean endedResumable(Job job) {
        String reason = annotation(job);
        return reason != null && AttemptOutcome.resumes(reason);
    }

    static String annotation(Job job) {
        Map<String, String> a = job.getMetadata().getAnnotations();
        return a == null ? null : a.get(OUTCOME);
    }

    public static int attempt(Job job) {
        Map<String, String> labels = job.getMetadata().getLabels();
        String v = labels == null ? null : labels.get(Labels.ATTEMPT);
        try {
            return v == null ? 0 : Integer.parseInt(v);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
