package io.kubetune.trainer.peft;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.kubetune.trainer.model.KvCache;
import io.kubetune.trainer.model.ModelInput;
import io.kubetune.trainer.model.Precision;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.model.io.SafetensorsFile;
import io.kubetune.trainer.model.io.TensorLoader;
import io.kubetune.trainer.model.io.WeightLayout;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * With a prompt-learning adapter, the inputs generation and hellaswag scoring feed (a KV cache
 * filled token by token; a cache copied per continuation, with the caller's own mask and positions)
 * give the logits of one whole pass: the virtual tokens are fed once and the callers' masks and
 * positions never count them.
 */
class PromptLearningCacheTest {

    @ParameterizedTest(name = "{0} on {1}")
    @CsvSource({
        "prompt-tuning, llama",
        "prompt-tuning, gpt2",
        "prefix-tuning, llama",
        "prefix-tuning, gpt2",
        "p-tuning, llama"
    })
    void cachedPassesGiveTheWholePassLogits(String method, String model) throws IOException {
        Path dir =
                PromptLearningParityTest.FIXTURES.resolve(
                        method + "-peft-written" + PromptLearningParityTest.suffix(model));
        try (PretrainedModel loaded =
                        PretrainedModel.load(
                                PromptLearningParityTest.base(model),
                                Device.cpu(),
                                Precision.FP32);
                NDManager scope = loaded.manager().newSubManager()) {
            PeftMethod.readAny(dir, loaded.block(), DataType.FLOAT32, loaded.manager());
            NDArray ids = PeftReference.prompt(dir, scope);
            int seq = (int) ids.getShape().get(1);
            NDArray whole = PeftReference.logits(loaded, ids);
            int context = 6;
            // Generation: the context at once, then one token a pass.
            try (KvCache cache = new KvCache(scope, loaded.block().numLayers())) {
                NDArray first = pass(loaded, ModelInput.of(ids.get(":, :{}", context)), cache);
                assertClose(first, whole.get(":{}", context), "context pass");
                for (int t = context; t < seq; t++) {
                    NDArray next =
                            pass(loaded, ModelInput.of(ids.get(":, {}:{}", t, t + 1)), cache);
                    assertClose(next, whole.get("{}:{}", t, t + 1), "token " + t);
                }
            }
            // Hellaswag: a cached context copied for two rows, each with its mask and positions.
            try (KvCache cache = new KvCache(scope, loaded.block().numLayers())) {
                pass(loaded, ModelInput.of(ids.get(":, :{}", context)), cache);
                try (KvCache copies = cache.selectRows(scope, new long[] {0, 0})) {
                    int rest = seq - context;
                    NDArray rows = ids.get(":, {}:", context).repeat(0, 2);
                    NDArray mask = scope.ones(new Shape(2, seq), DataType.INT64);
                    NDArray positions =
                            scope.arange(context, seq, 1, DataType.INT64)
                                    .expandDims(0)
                                    .repeat(0, 2);
                    ModelInput input =
                            ModelInput.of(rows).withAttentionMask(mask).withPositionIds(positions);
                    NDArray scored =
                            loaded.block()
                                    .logits(
                                            loaded.parameterStore(),
                                            input.withCache(copies),
                                            false);
                    for (int r = 0; r < 2; r++) {
                        assertClose(
                                scored.get(new NDIndex("{}", r)),
                                whole.get("{}:", context),
                                "continuation row " + r + " of " + rest);
                    }
                }
            }
        }
    }

    /** DPO's reference: inside {@code disabled()} the base model's logits, after it the adapted. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"prompt-tuning", "prefix-tuning", "p-tuning"})
    void switchedOffTheModelIsTheBaseModel(String method) throws IOException {
        Path dir = PromptLearningParityTest.FIXTURES.resolve(method + "-peft-written");
        try (PretrainedModel loaded =
                        PretrainedModel.load(PeftReference.LLAMA, Device.cpu(), Precision.FP32);
                NDManager scope = loaded.manager().newSubManager()) {
            NDArray ids = PeftReference.prompt(dir, scope);
            NDArray base = PeftReference.logits(loaded, ids);
            Adapters adapters =
                    PeftMethod.readAny(dir, loaded.block(), DataType.FLOAT32, loaded.manager());
            NDArray adapted = PeftReference.logits(loaded, ids);
            try (Adapters.Disabled off = adapters.disabled()) {
                try (Adapters.Disabled nested = adapters.disabled()) {
                    assertClose(PeftReference.logits(loaded, ids), base, "nested off");
                }
                assertClose(PeftReference.logits(loaded, ids), base, "off");
            }
            assertClose(PeftReference.logits(loaded, ids), adapted, "on again");
        }
    }

    /**
     * Packed-isolated rows under prefix tuning: each packed sample sees the prefix and itself only,
     * from position numVirtualTokens, so it gives the logits it has alone.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"llama", "gpt2"})
    void packedSamplesUnderPrefixTuningGiveTheirOwnLogits(String model) throws IOException {
        Path dir =
                PromptLearningParityTest.FIXTURES.resolve(
                        "prefix-tuning-peft-written" + PromptLearningParityTest.suffix(model));
        try (PretrainedModel loaded =
                        PretrainedModel.load(
                                PromptLearningParityTest.base(model),
                                Device.cpu(),
                                Precision.FP32);
                NDManager scope = loaded.manager().newSubManager()) {
            PeftMethod.readAny(dir, loaded.block(), DataType.FLOAT32, loaded.manager());
            long[] first = {5, 17, 300, 42};
            long[] second = {101, 7, 248, 99, 3, 64};
            long[] packed = new long[first.length + second.length];
            long[] positions = new long[packed.length];
            long[] samples = new long[packed.length];
            for (int i = 0; i < packed.length; i++) {
                boolean inFirst = i < first.length;
                packed[i] = inFirst ? first[i] : second[i - first.length];
                positions[i] = inFirst ? i : i - first.length;
                samples[i] = inFirst ? 0 : 1;
            }
            ModelInput input =
                    new ModelInput(
                            scope.create(packed).expandDims(0),
                            null,
                            scope.create(positions).expandDims(0),
                            null,
                            scope.create(samples).expandDims(0));
            NDArray together =
                    loaded.block().logits(loaded.parameterStore(), input, false).squeeze(0);
            assertClose(
                    together.get(":{}", first.length),
                    PeftReference.logits(loaded, scope.create(first).expandDims(0)),
                    "first packed sample");
            assertClose(
                    together.get("{}:", first.length),
                    PeftReference.logits(loaded, scope.create(second).expandDims(0)),
                    "second packed sample");
        }
    }

    /** In fp16 the fp32 virtual tokens are cast to the model's type, as PEFT casts them. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"prompt-tuning", "prefix-tuning", "p-tuning"})
    void aHalfPrecisionModelGivesTheFullPrecisionLogitsToHalfPrecision(String method)
            throws IOException {
        Path dir = PromptLearningParityTest.FIXTURES.resolve(method + "-peft-written");
        try (PretrainedModel half =
                        PretrainedModel.load(PeftReference.LLAMA, Device.cpu(), Precision.FP16);
                NDManager scope = half.manager().newSubManager()) {
            PeftMethod.readAny(dir, half.block(), DataType.FLOAT32, half.manager());
            NDArray logits =
                    PeftReference.logits(half, PeftReference.prompt(dir, scope))
                            .toType(DataType.FLOAT32, false);
            try (SafetensorsFile expected =
                            SafetensorsFile.open(dir.resolve("reference_logits.safetensors"));
                    TensorLoader loader = new TensorLoader()) {
                NDArray peft =
                        loader.load(
                                expected.tensor("logits"),
                                WeightLayout.AS_IS,
                                scope,
                                DataType.FLOAT32);
                float scale = peft.abs().max().getFloat();
                assertThat(logits.sub(peft).abs().max().getFloat())
                        .as("max |fp16 - peft fp32| vs max |logit| %s", scale)
                        .isLessThanOrEqualTo(1e-2f * Math.max(1f, scale));
            }
        }
    }

    private static NDArray pass(PretrainedModel model, ModelInput input, KvCache cache) {
        return model.block()
                .logits(model.parameterStore(), input.withCache(cache), false)
                .squeeze(0);
    }

    private static void assertClose(NDArray ours, NDArray expected, String what) {
        assertThat(ours.getShape()).as(what).isEqualTo(expected.getShape());
        assertThat(ours.sub(expected).abs().max().getFloat()).as(what).isLessThanOrEqualTo(1e-4f);
    }
}
