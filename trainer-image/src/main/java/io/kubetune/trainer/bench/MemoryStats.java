package io.kubetune.trainer.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Peak memory of this process: resident set (which covers libtorch's native memory) from the
 * kernel, and the Java heap from the JVM.
 */
public final class MemoryStats {

    private MemoryStats() {}

    /** Returns the peak resident set size in bytes ({@code VmHWM}), or -1 off Linux. */
    public static long peakRssBytes() {
        return statusField("VmHWM:");
    }

    /** Returns the current resident set size in bytes ({@code VmRSS}), or -1 off Linux. */
    public static long rssBytes() {
        return statusField("VmRSS:");
    }

    /** Returns the sum of the heap pools' peak usage in bytes. */
    public static long peakHeapBytes() {
        long total = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                total += pool.getPeakUsage().getUsed();
            }
        }
        return total;
    }

    private static long statusField(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field)) {
                    String kb = line.substring(field.length()).trim().split("\\s+")[0];
                    return Long.parseLong(kb) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux, or an unexpected format: report unknown
        }
        return -1;
    }
}
