package io.kubetune.operator.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Sets conditions the Kubernetes way: one per type, lastTransitionTime kept unless the status
 * flips, so that a status that did not change patches nothing.
 */
public final class Conditions {
    private Conditions() {}

    public static List<Condition> set(
            List<Condition> current,
            String type,
            String status,
            String reason,
            String message,
            Long generation,
            String now) {
        List<Condition> out = new ArrayList<>(current == null ? List.of() : current);
        Condition old = find(out, type);
        String transition =
                old != null && status.equals(old.getStatus()) && old.getLastTransitionTime() != null
                        ? old.getLastTransitionTime()
                        : now;
        Condition c =
                new ConditionBuilder()
                        .withType(type)
                        .withStatus(status)
                        .withReason(reason)
                        .withMessage(message == null ? "" : message)
                        .withObservedGeneration(generation)
                        .withLastTransitionTime(transition)
                        .build();
        if (old != null) {
            out.set(out.indexOf(old), c);
        } else {
            out.add(c);
        }
        return out;
    }

    /**
     * Sets {@code type} to False only if it is there (a condition that never applied stays out).
     */
    public static List<Condition> clear(
            List<Condition> current, String type, String reason, Long generation, String now) {
        Condition old = find(current, type);
        if (old == null || "False".equals(old.getStatus())) {
            return current;
        }
        return set(current, type, "False", reason, old.getMessage(), generation, now);
    }

    public static Condition find(List<Condition> conditions, String type) {
        if (conditions == null) {
            return null;
        }
        return conditions.stream()
                .filter(c -> Objects.equals(type, c.getType()))
                .findFirst()
                .orElse(null);
    }
}
