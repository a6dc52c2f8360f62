package io.kubetune.trainer.storage;

import io.kubetune.trainer.UserInputException;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How much one run may download: a cap per file and a cap for all files together, so a hostile or
 * mistaken source cannot fill the cache volume. Defaults fit the largest models this trainer can
 * train; {@value #MAX_FILE_ENV} and {@value #MAX_TOTAL_ENV} (Kubernetes quantities, e.g. {@code
 * 100Gi}) override them.
 */
public record DownloadLimits(long maxFileBytes, long maxTotalBytes) {
    public static final String MAX_FILE_ENV = "KUBETUNE_MAX_FILE_SIZE";
    public static final String MAX_TOTAL_ENV = "KUBETUNE_MAX_DOWNLOAD_SIZE";
    static final long GI = 1L << 30;
    public static final DownloadLimits DEFAULTS = new DownloadLimits(64 * GI, 256 * GI);

    private static final Pattern QUANTITY = Pattern.compile("([0-9]+)(Ki|Mi|Gi|Ti|k|M|G|T)?");

    public static DownloadLimits fromEnvironment(Map<String, String> env) {
        return new DownloadLimits(
                size(env, MAX_FILE_ENV, DEFAULTS.maxFileBytes()),
                size(env, MAX_TOTAL_ENV, DEFAULTS.maxTotalBytes()));
    }

    private static long size(Map<String, String> env, String name, long fallback) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        Matcher m = QUANTITY.matcher(value.strip());
        if (!m.matches()) {
            throw new UserInputException(
                    name + " is '" + value + "': write a size in bytes or e.g. 500Mi, 20Gi");
        }
        long unit =
                switch (m.group(2) == null ? "" : m.group(2)) {
                    case "Ki" -> 1L << 10;
                    case "Mi" -> 1L << 20;
                    case "Gi" -> GI;
                    case "Ti" -> 1L << 40;
                    case "k" -> 1_000L;
                    case "M" -> 1_000_000L;
                    case "G" -> 1_000_000_000L;
                    case "T" -> 1_000_000_000_000L;
                    default -> 1L;
                };
        return Math.multiplyExact(Long.parseLong(m.group(1)), unit);
    }
}
