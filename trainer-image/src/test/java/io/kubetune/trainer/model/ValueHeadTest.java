package io.kubetune.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.kubetune.trainer.model.io.SafetensorsFile;
import io.kubetune.trainer.model.io.SafetensorsWriter;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The value head equals TRL's ValueHead (v_head.summary) on fixed hidden states
 * (tools/reference/make_ppo_fixtures.py), and round-trips through LLaMA-Factory's
 * value_head.safetensors.
 */
class ValueHeadTest {
    @TempDir Path dir;

    @Test
    void valuesEqualTrl() throws Exception {
        JsonObject f;
        try (Reader reader =
                new InputStreamReader(
                        getClass().getResourceAsStream("/fixtures/ppo/value_head.json"),
                        StandardCharsets.UTF_8)) {
            f = JsonParser.parseReader(reader).getAsJsonObject();
        }
        try (NDManager manager = NDManager.newBaseManager()) {
            ValueHead head = new ValueHead(8).initialized(manager, DataType.FLOAT32);
            head.summary().weight().getArray().set(flat(f.getAsJsonArray("weight")));
            head.summary().bias().getArray().set(flat(f.getAsJsonArray("bias")));
            NDArray hidden = manager.create(flat(f.getAsJsonArray("hidden")), new Shape(2, 5, 8));
            NDArray values = head.values(new ParameterStore(manager, false), hidden, false);
            assertEquals(new Shape(2, 5), values.getShape());
            float[] want = flat(f.getAsJsonArray("values"));
            float[] got = values.toFloatArray();
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], got[i], 1e-6, "value " + i);
            }
        }
    }

    @Test
    void roundTripsThroughLlamaFactoryFile() throws Exception {
        try (NDManager manager = NDManager.newBaseManager()) {
            ValueHead saved = new ValueHead(8).initialized(manager, DataType.FLOAT32);
            float bound = (float) (1 / Math.sqrt(8));
            float[] weights = saved.summary().weight().getArray().toFloatArray();
            for (float w : weights) {
                assertTrue(Math.abs(w) <= bound, "torch.nn.Linear's init bound");
            }
            ValueHeadFile.write(dir, saved);
            try (SafetensorsFile file = SafetensorsFile.open(dir.resolve(ValueHeadFile.NAME))) {
                assertEquals(
                        java.util.Set.of(ValueHeadFile.WEIGHT, ValueHeadFile.BIAS), file.names());
                assertEquals(new Shape(1, 8), file.tensor(ValueHeadFile.WEIGHT).shape());
                assertEquals(new Shape(1), file.tensor(ValueHeadFile.BIAS).shape());
            }
            ValueHead loaded = new ValueHead(8).initialized(manager, DataType.FLOAT32);
            ValueHeadFile.read(dir, loaded);
            assertArrayEquals(weights, loaded.summary().weight().getArray().toFloatArray());
            assertArrayEquals(
                    saved.summary().bias().getArray().toFloatArray(),
                    loaded.summary().bias().getArray().toFloatArray());
        }
    }

    @Test
    void refusesAHeadOfAnotherSizeOrWithoutBias() throws Exception {
        try (NDManager manager = NDManager.newBaseManager()) {
            ValueHeadFile.write(dir, new ValueHead(8).initialized(manager, DataType.FLOAT32));
            ValueHead other = new ValueHead(4).initialized(manager, DataType.FLOAT32);
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class, () -> ValueHeadFile.read(dir, other));
            assertTrue(e.getMessage().contains("another hidden size"), e.getMessage());

            SafetensorsWriter.write(
                    dir.resolve(ValueHeadFile.NAME),
                    Map.of(ValueHeadFile.WEIGHT, manager.zeros(new Shape(1, 4))),
                    Map.of("format", "pt"));
            e = assertThrows(IllegalArgumentException.class, () -> ValueHeadFile.read(dir, other));
            assertTrue(e.getMessage().contains(ValueHeadFile.BIAS), e.getMessage());
        }
    }

    private static float[] flat(JsonArray a) {
        List<Float> out = new ArrayList<>();
        into(a, out);
        float[] f = new float[out.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = out.get(i);
        }
        return f;
    }

    private static void into(JsonElement e, List<Float> out) {
        if (e.isJsonArray()) {
            e.getAsJsonArray().forEach(c -> into(c, out));
        } else {
            out.add(e.getAsFloat());
        }
    }
}
