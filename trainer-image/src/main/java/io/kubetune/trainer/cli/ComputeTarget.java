package io.kubetune.trainer.cli;

import ai.djl.Device;
import io.kubetune.trainer.model.DeviceProbe;
import io.kubetune.trainer.model.Devices;
import io.kubetune.trainer.model.Precision;

/**
 * Where and in what number format a command computes, chosen from {@code --device} and the job's
 * {@code precision} against what the engine sees, and said in one line at start.
 */
record ComputeTarget(Device device, Precision precision, String libtorch, String capability) {

    static ComputeTarget choose(
            String deviceOption, io.kubetune.api.v1alpha1.Precision requested, DeviceProbe probe) {
        Device device = Devices.choose(deviceOption, probe);
        Precision precision = Precision.choose(requested, device, probe);
        String libtorch =
                "libtorch " + probe.libtorchVersion() + (probe.cudaLibtorch() ? " CUDA" : " CPU");
        String capability =
                device.isGpu()
                        ? " (compute capability "
                                + probe.computeCapability(device.getDeviceId()) / 10.0
                                + ")"
                        : "";
        return new ComputeTarget(device, precision, libtorch, capability);
    }

    /** {@code device cuda:0 (compute capability 9.0), precision bf16, libtorch 2.7.1 CUDA}. */
    String describe() {
        String name = device.isGpu() ? "cuda:" + device.getDeviceId() : "cpu";
        return "device " + name + capability + ", precision " + precision + ", " + libtorch;
    }
}
