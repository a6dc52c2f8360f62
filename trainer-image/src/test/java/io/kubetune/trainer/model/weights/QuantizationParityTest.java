package io.kubetune.trainer.model.weights;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.kubetune.trainer.model.io.SafetensorsFile;
import io.kubetune.trainer.model.io.TensorLoader;
import io.kubetune.trainer.model.io.WeightLayout;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Our int8 and NF4 weights against bitsandbytes 0.50.2 on CPU (tools/reference/
 * make_quant_fixtures.py): the same codes and scales from the same float weights, and the same
 * dequantized weights.
 */
class QuantizationParityTest {
    private static final Path FIXTURE =
            Path.of("src/test/resources/fixtures/quant/weights.safetensors");
    private static NDManager manager;
    private static SafetensorsFile file;
    private static TensorLoader loader;

    @BeforeAll
    static void open() throws IOException {
        manager = NDManager.newBaseManager();
        file = SafetensorsFile.open(FIXTURE);
        loader = new TensorLoader();
    }

    @AfterAll
    static void close() throws IOException {
        loader.close();
        file.close();
        manager.close();
    }

    private static NDArray bnb(String name) {
        try {
            return loader.load(file.tensor(name), WeightLayout.AS_IS, manager, DataType.FLOAT32);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static NDArray dense(LinearWeight weight) {
        NDArray like = manager.zeros(new Shape(1), DataType.FLOAT32);
        return weight.dense(new ParameterStore(manager, false), like, false);
    }

    @ParameterizedTest
    @ValueSource(strings = {"q_proj", "down_proj", "wide"})
    void int8CodesScalesAndDequantizedWeightsAreBitsandbytes(String name) {
        NDArray w = bnb(name);
        float[] fp16 =
                w.toType(DataType.FLOAT16, false).toType(DataType.FLOAT32, false).toFloatArray();
        try (Int8Weight q = Int8Weight.quantize(fp16, w.getShape(), manager)) {
            assertThat(q.codes().toType(DataType.FLOAT32, false).toFloatArray())
                    .as("CB")
                    .containsExactly(bnb(name + ".CB").toFloatArray());
            assertThat(q.rowAbsmax().toFloatArray())
                    .as("SCB")
                    .containsExactly(bnb(name + ".SCB").toFloatArray());
            assertThat(dense(q).toFloatArray())
                    .as("dequantized")
                    .containsExactly(bnb(name + ".int8_dequant").toFloatArray());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"q_proj", "down_proj", "wide"})
    void nf4CodesScalesAndDequantizedWeightsAreBitsandbytes(String name) {
        NDArray w = bnb(name);
        try (Nf4Weight q = Nf4Weight.quantize(w.toFloatArray(), w.getShape(), false, manager)) {
            assertThat(q.packed().toType(DataType.FLOAT32, false).toFloatArray())
                    .as("packed codes")
                    .containsExactly(bnb(name + ".nf4").toFloatArray());
            assertThat(q.absmax().toFloatArray())
                    .as("absmax")
                    .containsExactly(bnb(name + ".nf4_absmax").toFloatArray());
            assertThat(dense(q).toFloatArray())
                    .as("dequantized")
                    .containsExactly(bnb(name + ".nf4_dequant").toFloatArray());
        }
    }

    /**
     * With double quantization every part is bit for bit bitsandbytes': the NF4 codes, the mean
     * offset, the nested absmax, and the 8-bit codes of the scales (its CPU kernel's lookup table,
     * which near zero is not the nearest code).
     */
    @ParameterizedTest
    @ValueSource(strings = {"q_proj", "down_proj", "wide"})
    void doubleQuantizedNf4IsBitsandbytesBitForBit(String name) {
        NDArray w = bnb(name);
        try (Nf4Weight q = Nf4Weight.quantize(w.toFloatArray(), w.getShape(), true, manager)) {
            assertThat(q.packed().toType(DataType.FLOAT32, false).toFloatArray())
                    .as("packed codes")
                    .containsExactly(bnb(name + ".dq_nf4").toFloatArray());
            assertThat(q.nested().offset().toFloatArray())
                    .as("offset")
                    .containsExactly(bnb(name + ".dq_offset").toFloatArray());
            assertThat(q.nested().nestedAbsmax().toFloatArray())
                    .as("nested absmax")
                    .containsExactly(bnb(name + ".dq_nested_absmax").toFloatArray());
            assertThat(q.nested().dynamicMap().toFloatArray())
                    .as("dynamic map")
                    .containsExactly(bnb(name + ".dq_nested_code").toFloatArray());
            assertThat(q.absmax().toType(DataType.FLOAT32, false).toFloatArray())
                    .as("scale codes")
                    .containsExactly(bnb(name + ".dq_absmax").toFloatArray());
            assertThat(dense(q).toFloatArray())
                    .as("dequantized")
                    .containsExactly(bnb(name + ".dq_dequant").toFloatArray());
        }
    }

    /**
     * The kernel that quantizes the scales, on many of them (most near zero, where bitsandbytes'
     * table and the nearest code part, an all-zero block, values at their block's absmax).
     */
    @Test
    void blockwise8CodesAreBitsandbytesBitForBit() {
        BnbQuantization.Blockwise8 ours = BnbQuantization.blockwise8(bnb("scales").toFloatArray());
        float[] codes = new float[ours.codes().length];
        for (int i = 0; i < codes.length; i++) {
            codes[i] = Byte.toUnsignedInt(ours.codes()[i]);
        }
        assertThat(codes).containsExactly(bnb("scales.codes").toFloatArray());
        assertThat(ours.absmax()).containsExactly(bnb("scales.absmax").toFloatArray());
    }
}
