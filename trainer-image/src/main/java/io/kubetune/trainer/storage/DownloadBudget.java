package io.kubetune.trainer.storage;

import io.kubetune.trainer.UserInputException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * What is left of a run's {@link DownloadLimits}: each file is admitted (by the size its source
 * declares, before any byte is fetched) and then copied with a hard stop at its allowance, so a
 * source that sends more than it declared cannot fill the disk either.
 */
public final class DownloadBudget {
    private final DownloadLimits limits;
    private long reserved;

    public DownloadBudget(DownloadLimits limits) {
        this.limits = limits;
    }

    /**
     * Reserves a file's bytes and returns the most it may have.
     *
     * @param declaredSize bytes the source lists, or negative when it does not say
     * @param what the file, named in errors (e.g. {@code spec.model.uri hf://org/x file y})
     * @throws UserInputException when it is above the per-file cap or what is left of the total
     */
    public long admit(long declaredSize, String what) {
        long left = limits.maxTotalBytes() - reserved;
        if (declaredSize > limits.maxFileBytes()) {
            throw tooLarge(
                    what,
                    declaredSize,
                    "per-file",
                    limits.maxFileBytes(),
                    DownloadLimits.MAX_FILE_ENV);
        }
        if (declaredSize > left) {
            throw tooLarge(
                    what,
                    declaredSize,
                    "total",
                    limits.maxTotalBytes(),
                    DownloadLimits.MAX_TOTAL_ENV);
        }
        if (declaredSize >= 0) {
            reserved += declaredSize;
            return declaredSize;
        }
        return Math.min(limits.maxFileBytes(), left);
    }

    /** Counts the bytes of a file whose size was not declared, once it is downloaded. */
    public void spentUndeclared(long bytes) {
        reserved += bytes;
    }

    /**
     * Copies {@code in} to {@code out}, refusing at the first byte beyond {@code max}.
     *
     * @return the bytes copied
     */
    public static long copyAtMost(InputStream in, OutputStream out, long max, String what)
            throws IOException {
        byte[] buffer = new byte[1 << 16];
        long copied = 0;
        int read;
        while ((read = in.read(buffer, 0, (int) Math.min(buffer.length, max - copied + 1))) > 0) {
            copied += read;
            if (copied > max) {
                throw new UserInputException(
                        what
                                + ": the source sent more than the "
                                + max
                                + " bytes allowed (its declared size or the download cap);"
                                + " refused and not kept");
            }
            out.write(buffer, 0, read);
        }
        return copied;
    }

    private static UserInputException tooLarge(
            String what, long size, String kind, long cap, String env) {
        return new UserInputException(
                what
                        + " is listed at "
                        + size
                        + " bytes, above the "
                        + kind
                        + " download cap of "
                        + cap
                        + " bytes; nothing was downloaded (raise "
                        + env
                        + " if the file is meant to be that large)");
    }
}
