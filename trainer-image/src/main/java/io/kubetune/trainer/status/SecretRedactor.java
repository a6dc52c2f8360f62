package io.kubetune.trainer.status;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Masks the values of secret environment variables (S3 keys, HF_TOKEN, passwords the operator
 * injects from Secrets) in text the trainer writes where others read it: errors, the termination
 * message.
 */
public final class SecretRedactor {
    // An access key ID names a key and is shown in consoles and logs; the key itself is secret.
    private static final Pattern SECRET_NAME =
            Pattern.compile(
                    "(?i).*(SECRET|TOKEN|PASSWORD|PASSWD|CREDENTIAL|ACCESS_KEY(?!_ID)|API_KEY|PRIVATE_KEY).*");

    // Shorter values (a "1", "true") would mask ordinary words and are no secrets worth the name.
    private static final int MIN_LENGTH = 6;

    static final String MASK = "****";

    private final List<String> secrets;

    SecretRedactor(Map<String, String> environment) {
        List<String> values = new ArrayList<>();
        environment.forEach(
                (name, value) -> {
                    if (SECRET_NAME.matcher(name).matches()
                            && value != null
                            && value.length() >= MIN_LENGTH
                            && !looksLikePath(value)) {
                        values.add(value);
                    }
                });
        // Longest first, so a secret containing another is masked whole.
        values.sort(Comparator.comparingInt(String::length).reversed());
        this.secrets = List.copyOf(values);
    }

    /** The secrets of this process's environment. */
    public static SecretRedactor fromEnvironment() {
        return new SecretRedactor(System.getenv());
    }

    public String redact(String text) {
        if (text == null) {
            return null;
        }
        String out = text;
        for (String secret : secrets) {
            out = out.replace(secret, MASK);
        }
        return out;
    }

    // KUBERNETES_AUTH_SERVICEACCOUNT_TOKEN holds the token's file name, not the token.
    private static boolean looksLikePath(String value) {
        return value.startsWith("/") && !value.contains(" ");
    }
}
