package io.kubetune.trainer.model.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The safetensors reader on files written byte by byte from the format's description. */
class SafetensorsFileTest {

    @TempDir Path dir;

    @Test
    void readsF32F16AndBf16TensorsWidenedExactly() throws IOException {
        ByteBuffer data = ByteBuffer.allocate(8 + 6 + 4).order(ByteOrder.LITTLE_ENDIAN);
        data.putFloat(1.5f).putFloat(-2.25f); // F32 [2]
        data.putShort((short) 0x3c00).putShort((short) 0xc000).putShort((short) 0x0001); // F16
        data.putShort((short) 0x3fc0).putShort((short) 0xc020); // BF16 1.5, -2.5
        String header =
                "{\"__metadata__\":{\"format\":\"pt\"},"
                        + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                        + "\"b\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[8,14]},"
                        + "\"c\":{\"dtype\":\"BF16\",\"shape\":[1,2],\"data_offsets\":[14,18]}}";
        Path file = write("t.safetensors", header, data.array());

        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertThat(st.names()).containsExactly("a", "b", "c");
            assertThat(widen(st.tensor("a"))).containsExactly(1.5f, -2.25f);
            assertThat(widen(st.tensor("b"))).containsExactly(1f, -2f, 0x1p-24f);
            TensorView c = st.tensor("c");
            assertThat(c.shape()).isEqualTo(new Shape(1, 2));
            assertThat(c.dtype()).isEqualTo(SafetensorsDtype.BF16);
            assertThat(widen(c)).containsExactly(1.5f, -2.5f);
        }
    }

    @Test
    void shardedCheckpointFindsEachTensorInItsShard() throws IOException {
        byte[] one = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(7f).array();
        byte[] two = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(9f).array();
        write(
                "s1.safetensors",
                "{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
                one);
        write(
                "s2.safetensors",
                "{\"y\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
                two);
        Files.writeString(
                dir.resolve(Checkpoint.INDEX_FILE),
                "{\"metadata\":{},\"weight_map\":{\"x\":\"s1.safetensors\",\"y\":\"s2.safetensors\"}}");

        try (Checkpoint checkpoint = Checkpoint.open(dir)) {
            assertThat(checkpoint.names()).containsExactlyInAnyOrder("x", "y");
            assertThat(widen(checkpoint.tensor("y"))).containsExactly(9f);
        }
    }

    @Test
    void rejectsSizeMismatchUnknownDtypeAndMissingCheckpoint() throws IOException {
        Path bad =
                write(
                        "bad.safetensors",
                        "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}",
                        new byte[4]);
        assertThatThrownBy(() -> SafetensorsFile.open(bad)).hasMessageContaining("needs 8");
        Path i8 =
                write(
                        "i8.safetensors",
                        "{\"x\":{\"dtype\":\"I8\",\"shape\":[1],\"data_offsets\":[0,1]}}",
                        new byte[1]);
        assertThatThrownBy(() -> SafetensorsFile.open(i8)).hasMessageContaining("dtype I8");
        assertThatThrownBy(() -> Checkpoint.open(dir)).hasMessageContaining("safetensors only");
    }

    @Test
    void halfWideningCoversSpecialValues() {
        assertThat(FloatWidening.halfToFloat((short) 0x7c00)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(FloatWidening.halfToFloat((short) 0xfc00)).isEqualTo(Float.NEGATIVE_INFINITY);
        assertThat(FloatWidening.halfToFloat((short) 0x7e00)).isNaN();
        assertThat(FloatWidening.halfToFloat((short) 0x8000)).isEqualTo(-0f);
        assertThat(FloatWidening.halfToFloat((short) 0x7bff)).isEqualTo(65504f);
        assertThat(FloatWidening.halfToFloat((short) 0x0400)).isEqualTo(0x1p-14f);
        assertThat(FloatWidening.halfToFloat((short) 0x83ff)).isEqualTo(-0x3ffp-24f);
        assertThat(FloatWidening.bfloat16ToFloat((short) 0xff80))
                .isEqualTo(Float.NEGATIVE_INFINITY);
    }

    @Test
    void layoutTransposesAndCutsRows() {
        FloatBuffer source = FloatBuffer.wrap(new float[] {1, 2, 3, 4, 5, 6}); // [2, 3]
        FloatBuffer out = FloatBuffer.allocate(4);
        WeightLayout layout = WeightLayout.TRANSPOSED.rows(1, 3); // rows 1..2 of [3, 2]
        assertThat(layout.apply(new Shape(2, 3))).isEqualTo(new Shape(2, 2));
        layout.copy(source, new Shape(2, 3), out);
        assertThat(out.array()).containsExactly(2, 5, 3, 6);
    }

    private static float[] widen(TensorView view) {
        FloatBuffer out = FloatBuffer.allocate((int) view.size());
        FloatWidening.toFloat32(view, out);
        return out.array();
    }

    private Path write(String name, String header, byte[] data) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer file = ByteBuffer.allocate(8 + json.length + data.length);
        file.order(ByteOrder.LITTLE_ENDIAN).putLong(json.length).put(json).put(data);
        Path path = dir.resolve(name);
        Files.write(path, file.array());
        return path;
    }
}
