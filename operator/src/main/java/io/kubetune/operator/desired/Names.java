package io.kubetune.operator.desired;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Names of the objects made for a job. Each kind has its own infix ({@code ftj} for a FineTuneJob,
 * {@code ej} for an EvalJob), so a FineTuneJob and an EvalJob of the same name never share a child.
 * A Job's name must fit a label value (63 characters: the Job controller labels its pods with it),
 * so long names are cut and made unique with a hash.
 */
public final class Names {
    static final int MAX_LABEL = 63;

    private Names() {}

    /** The Job of one attempt: {@code <name>-ftj-<attempt>}, so that a retry is a new Job. */
    public static String job(HasMetadata owner, int attempt) {
        return fit(owner.getMetadata().getName(), infix(owner) + attempt, MAX_LABEL);
    }

    /** The ConfigMap holding the job file: {@code <name>-ftj-job}. */
    public static String configMap(HasMetadata owner) {
        return fit(owner.getMetadata().getName(), infix(owner) + "job", 253);
    }

    /** The trainer's ServiceAccount, Role and RoleBinding: {@code <name>-ftj-trainer}. */
    public static String trainer(HasMetadata owner) {
        return fit(owner.getMetadata().getName(), infix(owner) + "trainer", 253);
    }

    private static String infix(HasMetadata owner) {
        return switch (owner.getKind()) {
            case "FineTuneJob" -> "-ftj-";
            case "EvalJob" -> "-ej-";
            default -> "-" + owner.getKind().toLowerCase(java.util.Locale.ROOT) + "-";
        };
    }

    /** A label value for a name, cut with a hash when too long. */
    static String labelValue(String name) {
        return fit(name, "", MAX_LABEL);
    }

    static String fit(String base, String suffix, int max) {
        if (base.length() + suffix.length() <= max) {
            return base + suffix;
        }
        String hash = sha256(base).substring(0, 8);
        int keep = max - suffix.length() - hash.length() - 1;
        String cut = base.substring(0, keep).replaceAll("[-.]+$", "");
        return cut + "-" + hash + suffix;
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of()
                    .formatHex(
                            MessageDigest.getInstance("SHA-256")
                                    .digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
