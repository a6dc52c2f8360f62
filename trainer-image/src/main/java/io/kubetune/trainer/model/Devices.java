package io.kubetune.trainer.model;

import ai.djl.Device;
import java.util.Locale;

/**
 * Turns the {@code --device} option into a DJL device: {@code auto} (the default) is the first GPU
 * when the engine can use one, else the CPU; {@code cuda} is refused at once when it cannot.
 */
public final class Devices {

    private Devices() {}

    /**
     * Chooses the device.
     *
     * @param name {@code auto}, {@code cpu}, {@code cuda} or {@code cuda:N} ({@code gpu} is
     *     accepted as {@code cuda})
     * @param probe what the engine sees
     * @throws NoGpuException for a GPU the engine cannot use, naming the likely cause
     */
    public static Device choose(String name, DeviceProbe probe) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        if (n.equals("auto")) {
            return probe.cudaLibtorch() && probe.gpuCount() > 0 ? Device.gpu(0) : Device.cpu();
        }
        Device device = parse(name);
        if (device.isGpu()) {
            requireGpu(name, device.getDeviceId(), probe);
        }
        return device;
    }

    /**
     * Parses {@code cpu}, {@code cuda} or {@code cuda:N} ({@code gpu} is accepted as {@code cuda})
     * without asking the engine.
     */
    public static Device parse(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        if (n.equals("cpu")) {
            return Device.cpu();
        }
        if (n.equals("cuda") || n.equals("gpu")) {
            return Device.gpu(0);
        }
        if (n.startsWith("cuda:") || n.startsWith("gpu:")) {
            try {
                return Device.gpu(Integer.parseInt(n.substring(n.indexOf(':') + 1)));
            } catch (NumberFormatException e) {
                // fall through to the error below
            }
        }
        throw new IllegalArgumentException(
                "--device " + name + " is not one of auto, cpu, cuda, cuda:N");
    }

    private static void requireGpu(String name, int index, DeviceProbe probe) {
        if (!probe.cudaLibtorch()) {
            throw new NoGpuException(
                    "--device "
                            + name
                            + ": this trainer's libtorch "
                            + probe.libtorchVersion()
                            + " is the CPU build: run the CUDA trainer image (or point"
                            + " PYTORCH_LIBRARY_PATH at a CUDA libtorch), or use --device cpu");
        }
        int count = probe.gpuCount();
        if (count == 0) {
            throw new NoGpuException(
                    "--device "
                            + name
                            + ": libtorch is the CUDA build but sees no GPU: check the node's"
                            + " NVIDIA driver (nvidia-smi), the NVIDIA device plugin, and that the"
                            + " pod requests nvidia.com/gpu");
        }
        if (index >= count) {
            throw new NoGpuException(
                    "--device "
                            + name
                            + ": only "
                            + count
                            + " GPU(s) visible (cuda:0 to cuda:"
                            + (count - 1)
                            + "): check CUDA_VISIBLE_DEVICES and the pod's GPU"
                            + " request");
        }
    }
}
