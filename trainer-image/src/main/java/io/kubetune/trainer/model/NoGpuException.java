package io.kubetune.trainer.model;

/**
 * A GPU was asked for ({@code --device cuda}) and the engine sees none. A retry would repeat it:
 * the image, the driver or the device plugin has to change. The trainer exits with {@code
 * TrainerContract.EXIT_NO_GPU}.
 */
public final class NoGpuException extends RuntimeException {
    /** With a one-line message naming the likely cause. */
    public NoGpuException(String message) {
        super(message);
    }
}
