package io.kubetune.trainer.model;

import static io.kubetune.trainer.model.FakeDeviceProbe.A100;
import static io.kubetune.trainer.model.FakeDeviceProbe.CPU_IMAGE;
import static io.kubetune.trainer.model.FakeDeviceProbe.CUDA_IMAGE_NO_GPU;
import static io.kubetune.trainer.model.FakeDeviceProbe.T4;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import org.junit.jupiter.api.Test;

/** The device and precision a job gets on a machine, as the engine describes the machine. */
class DevicesTest {
    private static final io.kubetune.api.v1alpha1.Precision AUTO =
            io.kubetune.api.v1alpha1.Precision.AUTO;

    @Test
    void autoIsTheGpuWhenTheEngineCanUseOneElseTheCpu() {
        assertThat(Devices.choose("auto", A100)).isEqualTo(Device.gpu(0));
        assertThat(Devices.choose("auto", CPU_IMAGE)).isEqualTo(Device.cpu());
        assertThat(Devices.choose("auto", CUDA_IMAGE_NO_GPU)).isEqualTo(Device.cpu());
        // The CPU image on a GPU node: the GPU is there, but libtorch cannot use it.
        assertThat(Devices.choose("auto", new FakeDeviceProbe(false, 1, 80)))
                .isEqualTo(Device.cpu());
    }

    @Test
    void thisMachineWithTheCpuJarPicksTheCpuByItself() {
        DeviceProbe engine = DeviceProbe.engine();

        assertThat(engine.cudaLibtorch()).isFalse();
        assertThat(engine.libtorchVersion()).isEqualTo("2.7.1");
        assertThat(Devices.choose("auto", engine)).isEqualTo(Device.cpu());
    }

    @Test
    void cudaWithoutAUsableGpuFailsNamingTheLikelyCause() {
        assertThatThrownBy(() -> Devices.choose("cuda", CPU_IMAGE))
                .isInstanceOf(NoGpuException.class)
                .hasMessageContaining("CPU build")
                .hasMessageContaining("CUDA trainer image");
        assertThatThrownBy(() -> Devices.choose("cuda", CUDA_IMAGE_NO_GPU))
                .isInstanceOf(NoGpuException.class)
                .hasMessageContaining("driver")
                .hasMessageContaining("device plugin");
        assertThatThrownBy(() -> Devices.choose("cuda:1", A100))
                .isInstanceOf(NoGpuException.class)
                .hasMessageContaining("only 1 GPU(s) visible");
        assertThat(Devices.choose("cuda", A100)).isEqualTo(Device.gpu(0));
    }

    @Test
    void autoPrecisionIsBf16FromAmpereFp16BeforeFp32OnTheCpu() {
        assertThat(Precision.choose(AUTO, Device.gpu(0), A100)).isEqualTo(Precision.BF16);
        assertThat(Precision.choose(AUTO, Device.gpu(0), T4)).isEqualTo(Precision.FP16);
        assertThat(Precision.choose(AUTO, Device.cpu(), CPU_IMAGE)).isEqualTo(Precision.FP32);
        assertThat(Precision.choose(null, Device.cpu(), CPU_IMAGE)).isEqualTo(Precision.FP32);
    }

    @Test
    void anExplicitPrecisionIsKeptWhereItCanRun() {
        var fp16 = io.kubetune.api.v1alpha1.Precision.FP16;
        var bf16 = io.kubetune.api.v1alpha1.Precision.BF16;
        assertThat(Precision.choose(fp16, Device.cpu(), CPU_IMAGE)).isEqualTo(Precision.FP16);
        assertThat(Precision.choose(bf16, Device.gpu(0), A100)).isEqualTo(Precision.BF16);
        assertThatThrownBy(() -> Precision.choose(bf16, Device.gpu(0), T4))
                .hasMessageContaining("compute capability 8.0")
                .hasMessageContaining("(this one: 7.5)");
        assertThatThrownBy(() -> Precision.choose(bf16, Device.cpu(), CPU_IMAGE))
                .hasMessageContaining("not supported on CPU");
    }
}
