package io.kubetune.trainer.model;

import ai.djl.engine.Engine;
import ai.djl.engine.StandardCapabilities;
import ai.djl.util.cuda.CudaUtils;

/**
 * What the engine can compute on: whether its libtorch is a CUDA build, how many GPUs it sees and
 * their compute capability. An interface so that a test can answer for a machine it is not on.
 */
public interface DeviceProbe {
    /** Whether libtorch was built with CUDA (the CUDA trainer image) rather than for the CPU. */
    boolean cudaLibtorch();

    /** GPUs the CUDA runtime sees (0 without a driver or a device). */
    int gpuCount();

    /** Compute capability of a GPU as major * 10 + minor, e.g. 80 for an A100, 75 for a T4. */
    int computeCapability(int gpu);

    /** The libtorch version, e.g. {@code 2.7.1}. */
    String libtorchVersion();

    /** The probe of this process's PyTorch engine. */
    static DeviceProbe engine() {
        return new DeviceProbe() {
            @Override
            public boolean cudaLibtorch() {
                return pytorch().hasCapability(StandardCapabilities.CUDA);
            }

            @Override
            public int gpuCount() {
                return pytorch().getGpuCount();
            }

            @Override
            public int computeCapability(int gpu) {
                return Integer.parseInt(CudaUtils.getComputeCapability(gpu));
            }

            @Override
            public String libtorchVersion() {
                return pytorch().getVersion();
            }

            private Engine pytorch() {
                return Engine.getEngine("PyTorch");
            }
        };
    }
}
