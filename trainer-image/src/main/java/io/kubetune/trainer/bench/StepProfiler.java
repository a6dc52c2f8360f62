package io.kubetune.trainer.bench;

import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Runs one piece of work under libtorch's profiler ({@code JniUtils.startProfile}, the legacy
 * autograd profiler, which records every op on the calling thread with its input shapes) and
 * summarises the Chrome trace it writes.
 */
public final class StepProfiler {

    private final int vocab;
    private final int intermediate;

    /**
     * @param vocab the model's vocabulary size
     * @param intermediate the model's feed-forward width
     */
    public StepProfiler(int vocab, int intermediate) {
        this.vocab = vocab;
        this.intermediate = intermediate;
    }

    /**
     * Profiles {@code work}, which must wait for its results (read a value) so that its ops end
     * inside the profile. With {@code cuda} the profiler also times CUDA (not yet tried on a GPU).
     */
    public StepProfile profile(boolean cuda, Runnable work) {
        try {
            Path trace = Files.createTempFile("kubetune-profile", ".json");
            try {
                JniUtils.startProfile(cuda, true, false);
                long start = System.nanoTime();
                long end;
                try {
                    work.run();
                } finally {
                    end = System.nanoTime();
                    JniUtils.stopProfile(trace.toString());
                }
                return StepProfile.read(trace, (end - start) / 1e6, vocab, intermediate);
            } finally {
                Files.deleteIfExists(trace);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write or read the profiler's trace", e);
        }
    }
}
