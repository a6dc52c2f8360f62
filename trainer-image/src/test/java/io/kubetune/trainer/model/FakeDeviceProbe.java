package io.kubetune.trainer.model;

/** A machine as a test describes it: libtorch flavour, GPU count, compute capability. */
public record FakeDeviceProbe(boolean cudaLibtorch, int gpuCount, int capability)
        implements DeviceProbe {

    /** The CPU trainer image, on any machine. */
    public static final FakeDeviceProbe CPU_IMAGE = new FakeDeviceProbe(false, 0, 0);

    /** The CUDA image on a node whose GPU the pod does not see (driver, device plugin). */
    public static final FakeDeviceProbe CUDA_IMAGE_NO_GPU = new FakeDeviceProbe(true, 0, 0);

    /** The CUDA image with one A100 (compute capability 8.0). */
    public static final FakeDeviceProbe A100 = new FakeDeviceProbe(true, 1, 80);

    /** The CUDA image with one T4 (compute capability 7.5). */
    public static final FakeDeviceProbe T4 = new FakeDeviceProbe(true, 1, 75);

    @Override
    public int computeCapability(int gpu) {
        return capability;
    }

    @Override
    public String libtorchVersion() {
        return "2.7.1";
    }
}
