package io.kubetune.trainer.status;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.kubetune.api.v1alpha1.TrainerResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Map;

/**
 * Writes the {@link TrainerResult} JSON to the container's termination message, which the operator
 * reads when the pod ends. The kubelet keeps at most 4 KiB, so a longer result is shortened in a
 * way that stays valid JSON: evaluation results are dropped from the end, then the error is cut.
 */
public final class TerminationMessage {
    /** Where the kubelet reads the message by default. */
    public static final String DEFAULT_PATH = "/dev/termination-log";

    /** Environment: another path (the test pod runner sets it). */
    public static final String PATH_ENV = "KUBETUNE_TERMINATION_MESSAGE_PATH";

    static final int MAX_BYTES = 4096;

    private static final KubernetesSerialization JSON = new KubernetesSerialization();

    private TerminationMessage() {}

    /**
     * The path to write to: {@value #PATH_ENV}, else {@value #DEFAULT_PATH} when it exists (in a
     * container); empty on a workstation, where there is no one to read it.
     */
    static Path path(Map<String, String> env) {
        String configured = env.get(PATH_ENV);
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        Path fallback = Path.of(DEFAULT_PATH);
        return Files.isRegularFile(fallback) && Files.isWritable(fallback) ? fallback : null;
    }

    /** Writes the result where this process's container reports it; does nothing elsewhere. */
    public static void write(TrainerResult result) {
        Path path = path(System.getenv());
        if (path == null) {
            return;
        }
        try {
            Files.writeString(path, toJson(result, SecretRedactor.fromEnvironment()));
        } catch (IOException e) {
            // The exit code still tells the operator the outcome.
            System.err.println("could not write the termination message to " + path + ": " + e);
        }
    }

    /** The result as JSON of at most {@value #MAX_BYTES} bytes, with secrets masked. */
    static String toJson(TrainerResult result, SecretRedactor redactor) {
        TrainerResult r = JSON.clone(result);
        if (r.error != null) {
            r.error = redactor.redact(r.error.replaceAll("\\s+", " ").strip());
        }
        String json = JSON.asJson(r);
        if (fits(json)) {
            return json;
        }
        if (r.evalResults != null) {
            r.evalResults = new ArrayList<>(r.evalResults);
            while (!fits(json) && !r.evalResults.isEmpty()) {
                r.evalResults.remove(r.evalResults.size() - 1);
                json = JSON.asJson(r);
            }
        }
        if (r.error != null && !fits(json)) {
            r.error = longestFittingError(r);
            json = JSON.asJson(r);
        }
        return json;
    }

    /** The error cut (with "...") to the longest prefix that lets the whole result fit. */
    private static String longestFittingError(TrainerResult r) {
        String error = r.error;
        int low = 0;
        int high = error.length();
        while (low < high) {
            int mid = (low + high + 1) / 2;
            r.error = cut(error, mid);
            if (fits(JSON.asJson(r))) {
                low = mid;
            } else {
                high = mid - 1;
            }
        }
        r.error = error;
        return cut(error, low);
    }

    private static String cut(String s, int length) {
        if (length >= s.length()) {
            return s;
        }
        // Never split a surrogate pair: half a character is not valid UTF-8.
        int end =
                Character.isHighSurrogate(s.charAt(Math.max(0, length - 1))) ? length - 1 : length;
        return s.substring(0, Math.max(0, end)) + "...";
    }

    private static boolean fits(String json) {
        return bytes(json) <= MAX_BYTES;
    }

    private static int bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}
