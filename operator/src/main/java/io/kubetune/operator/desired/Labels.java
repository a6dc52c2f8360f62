package io.kubetune.operator.desired;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Labels and annotations on everything the operator creates. Labels select (the pod runner and the
 * operator's informers pick pods by {@value #MANAGED_BY}={@value #MANAGED_BY_VALUE}); the owner's
 * full name travels in an annotation because a name may be longer than a label value (63).
 */
public final class Labels {
    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String MANAGED_BY_VALUE = "kubetune";
    public static final String NAME = "app.kubernetes.io/name";
    public static final String INSTANCE = "app.kubernetes.io/instance";
    public static final String COMPONENT = "app.kubernetes.io/component";

    /** finetunejob or evaljob: which reconciler watches the Job and its pods. */
    public static final String KIND = "kubetune.io/kind";

    /** The attempt the Job runs (1, 2, ...). */
    public static final String ATTEMPT = "kubetune.io/attempt";

    /** Annotation: the owning FineTuneJob's or EvalJob's name. */
    public static final String OWNER_NAME = "kubetune.io/owner-name";

    /** Kueue picks the LocalQueue from this label on the Job. */
    public static final String KUEUE_QUEUE = "kueue.x-k8s.io/queue-name";

    private Labels() {}

    /** The kind label value of a resource: its kind in lower case. */
    public static String kindValue(HasMetadata owner) {
        return owner.getKind().toLowerCase(Locale.ROOT);
    }

    /** Label selector of the Jobs and pods of one kind. */
    public static String selectorFor(String kind) {
        return MANAGED_BY
                + "="
                + MANAGED_BY_VALUE
                + ","
                + KIND
                + "="
                + kind.toLowerCase(Locale.ROOT);
    }

    /** The labels of every object made for {@code owner}. */
    public static Map<String, String> of(HasMetadata owner) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(MANAGED_BY, MANAGED_BY_VALUE);
        labels.put(NAME, "kubetune-trainer");
        labels.put(INSTANCE, Names.labelValue(owner.getMetadata().getName()));
        labels.put(KIND, kindValue(owner));
        return labels;
    }

    /** The annotations of every object made for {@code owner}. */
    public static Map<String, String> annotations(HasMetadata owner) {
        return Map.of(OWNER_NAME, owner.getMetadata().getName());
    }
}
