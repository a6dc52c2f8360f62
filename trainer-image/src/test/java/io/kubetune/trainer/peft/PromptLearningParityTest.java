package io.kubetune.trainer.peft;

import static io.kubetune.trainer.peft.PeftReference.GPT2;
import static io.kubetune.trainer.peft.PeftReference.LLAMA;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.kubetune.api.v1alpha1.MethodSpec;
import io.kubetune.api.v1alpha1.MethodType;
import io.kubetune.api.v1alpha1.PromptLearningSpec;
import io.kubetune.trainer.model.Precision;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.model.io.SafetensorsFile;
import io.kubetune.trainer.model.io.TensorLoader;
import io.kubetune.trainer.model.io.WeightLayout;
import io.kubetune.trainer.tokenizer.HfTokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Our prompt tuning, prefix tuning and P-tuning against PEFT 0.21.2's (fixtures from
 * tools/reference/make_prompt_learning_fixtures.py): its adapters give its logits, and training
 * from its initial adapter follows its losses.
 */
class PromptLearningParityTest {
    static final Path FIXTURES = PeftReference.PEFT.resolve("prompt-learning");

    @ParameterizedTest(name = "{0} on {1}")
    @CsvSource({
        "prompt-tuning, llama",
        "prompt-tuning, gpt2",
        "prefix-tuning, llama",
        "prefix-tuning, gpt2",
        "p-tuning, llama",
        "p-tuning, gpt2"
    })
    void anAdapterWrittenByPeftGivesPeftsLogits(String method, String model) throws IOException {
        Path dir = FIXTURES.resolve(method + "-peft-written" + suffix(model));
        try (PretrainedModel loaded =
                        PretrainedModel.load(base(model), Device.cpu(), Precision.FP32);
                NDManager scope = loaded.manager().newSubManager()) {
            Adapters adapters =
                    PeftMethod.readAny(dir, loaded.block(), DataType.FLOAT32, loaded.manager());
            assertThat(adapters).isInstanceOf(PromptLearningAdapters.class);
            NDArray input = PeftReference.prompt(dir, scope);
            PeftReference.assertMatches(
                    PeftReference.logits(loaded, input), dir, "logits", method + " adapter");
        }
    }

    @ParameterizedTest(name = "{0} on {1}")
    @CsvSource({
        "prompt-tuning, llama",
        "prompt-tuning, gpt2",
        "prefix-tuning, llama",
        "prefix-tuning, gpt2",
        "p-tuning, llama",
        "p-tuning, gpt2",
        "p-tuning-lstm, llama",
        "p-tuning-lstm, gpt2"
    })
    void fiveStepsFromPeftsInitialAdapterFollowPeftsLosses(String method, String model)
            throws IOException {
        Path dir = FIXTURES.resolve(method + "-5-steps" + suffix(model));
        try (PretrainedModel loaded =
                PretrainedModel.load(base(model), Device.cpu(), Precision.FP32)) {
            Adapters adapters = initial(method, dir, loaded);
            PeftReference.followsLosses(loaded, adapters.trainable(), dir);
        }
    }

    /**
     * Text init starts from PEFT's table: the embeddings of the text's tokens, special tokens
     * included, cycled (Llama: 9 from 7) or cut (GPT-2: 3 from 6) to the count.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"llama", "gpt2"})
    void textInitStartsFromPeftsTable(String model) throws IOException {
        Path dir = FIXTURES.resolve("prompt-tuning-text-init" + suffix(model));
        Path out = Path.of("target/text-init-" + model);
        try (PretrainedModel loaded =
                        PretrainedModel.load(base(model), Device.cpu(), Precision.FP32);
                HfTokenizer tokenizer = HfTokenizer.load(base(model));
                SafetensorsFile peft =
                        SafetensorsFile.open(dir.resolve(PeftAdapterFormat.WEIGHTS));
                TensorLoader loader = new TensorLoader()) {
            com.fasterxml.jackson.databind.JsonNode reference =
                    new com.fasterxml.jackson.databind.ObjectMapper()
                            .readTree(dir.resolve("reference.json").toFile());
            MethodSpec method = new MethodSpec();
            method.type = MethodType.PROMPT_TUNING;
            method.lora = null;
            method.promptLearning = new PromptLearningSpec();
            method.promptLearning.numVirtualTokens =
                    (int) peft.tensor(PromptLearningFormat.TENSOR).shape().get(0);
            method.promptLearning.init = PromptLearningSpec.Init.TEXT;
            method.promptLearning.initText = reference.get("init_text").asText();
            assertThat(tokenizer.encode(method.promptLearning.initText, true))
                    .as("our tokenizer's ids of the text, as PEFT's")
                    .containsExactly(
                            new com.fasterxml.jackson.databind.ObjectMapper()
                                    .convertValue(reference.get("text_ids"), long[].class));
            new PromptLearningMethod(MethodType.PROMPT_TUNING, t -> tokenizer.encode(t, true))
                    .inject(loaded.block(), method, DataType.FLOAT32, loaded.manager())
                    .write(out, "fixtures/models/" + model);
            try (SafetensorsFile ours =
                    SafetensorsFile.open(out.resolve(PeftAdapterFormat.WEIGHTS))) {
                NDArray a = load(loader, ours, loaded);
                NDArray b = load(loader, peft, loaded);
                assertThat(a.getShape()).isEqualTo(b.getShape());
                assertThat(a.sub(b).abs().max().getFloat()).isEqualTo(0f);
            }
        }
    }

    /** PEFT's initial P-tuning adapter is its fresh encoder's output: ours gives the same. */
    @ParameterizedTest(name = "{0} on {1}")
    @CsvSource({"p-tuning, llama", "p-tuning, gpt2", "p-tuning-lstm, llama", "p-tuning-lstm, gpt2"})
    void theEncoderGivesPeftsSavedOutput(String method, String model) throws IOException {
        Path dir = FIXTURES.resolve(method + "-5-steps" + suffix(model));
        Path out = Path.of("target/" + method + "-" + model + "-initial");
        try (PretrainedModel loaded =
                        PretrainedModel.load(base(model), Device.cpu(), Precision.FP32);
                SafetensorsFile peft =
                        SafetensorsFile.open(
                                dir.resolve("initial-adapter").resolve(PeftAdapterFormat.WEIGHTS));
                TensorLoader loader = new TensorLoader()) {
            initial(method, dir, loaded).write(out, "fixtures/models/" + model);
            try (SafetensorsFile ours =
                    SafetensorsFile.open(out.resolve(PeftAdapterFormat.WEIGHTS))) {
                NDArray a = load(loader, ours, loaded);
                NDArray b = load(loader, peft, loaded);
                assertThat(a.sub(b).abs().max().getFloat()).isLessThanOrEqualTo(1e-5f);
            }
        }
    }

    private static NDArray load(TensorLoader loader, SafetensorsFile file, PretrainedModel model)
            throws IOException {
        return loader.load(
                file.tensor(PromptLearningFormat.TENSOR),
                WeightLayout.AS_IS,
                model.manager(),
                DataType.FLOAT32);
    }

    /**
     * Our trained adapters, loaded by PEFT (make_prompt_learning_fixtures.py
     * --only-kubetune-written M target/M-trained-adapter), give PEFT the logits they give us.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"prompt-tuning", "prefix-tuning", "p-tuning"})
    void anAdapterWeWroteLoadsInPeftWithOurLogits(String method) throws IOException {
        Path dir = FIXTURES.resolve(method + "-kubetune-written");
        try (PretrainedModel loaded = PretrainedModel.load(LLAMA, Device.cpu(), Precision.FP32);
                NDManager scope = loaded.manager().newSubManager()) {
            PeftMethod.readAny(dir, loaded.block(), DataType.FLOAT32, loaded.manager());
            NDArray input = PeftReference.prompt(dir, scope);
            PeftReference.assertMatches(
                    PeftReference.logits(loaded, input), dir, "logits", "our " + method);
        }
    }

    /**
     * Writes the adapter 5 steps trained to target/M-trained-adapter, and checks it reads back
     * giving the trained model's logits (P-tuning: the encoder's output, as PEFT saves it).
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"prompt-tuning", "prefix-tuning", "p-tuning"})
    void aTrainedAdapterWrittenAndReadBackGivesTheSameLogits(String method) throws IOException {
        Path dir = FIXTURES.resolve(method + "-5-steps");
        Path out = Path.of("target/" + method + "-trained-adapter");
        NDArray trained;
        try (PretrainedModel loaded = PretrainedModel.load(LLAMA, Device.cpu(), Precision.FP32);
                NDManager scope = loaded.manager().newSubManager()) {
            Adapters adapters = initial(method, dir, loaded);
            PeftReference.followsLosses(loaded, adapters.trainable(), dir);
            adapters.write(out, "fixtures/models/llama");
            trained =
                    PeftReference.logits(
                            loaded,
                            PeftReference.prompt(
                                    FIXTURES.resolve(method + "-peft-written"), scope));
            trained.detach();
        }
        try (PretrainedModel loaded = PretrainedModel.load(LLAMA, Device.cpu(), Precision.FP32);
                NDManager scope = loaded.manager().newSubManager()) {
            PeftMethod.readAny(out, loaded.block(), DataType.FLOAT32, loaded.manager());
            NDArray again =
                    PeftReference.logits(
                            loaded,
                            PeftReference.prompt(
                                    FIXTURES.resolve(method + "-peft-written"), scope));
            assertThat(again.sub(trained).abs().max().getFloat()).isLessThanOrEqualTo(1e-5f);
        } finally {
            trained.close();
        }
    }

    /** Gradient checkpointing reruns the layers in the backward; the virtual tokens still learn. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"prompt-tuning", "p-tuning"})
    void fiveStepsWithGradientCheckpointingFollowPeftsLosses(String method) throws IOException {
        Path dir = FIXTURES.resolve(method + "-5-steps");
        try (PretrainedModel loaded = PretrainedModel.load(LLAMA, Device.cpu(), Precision.FP32)) {
            loaded.block().layerBackward().setCheckpointing(true);
            Adapters adapters = initial(method, dir, loaded);
            PeftReference.followsLosses(loaded, adapters.trainable(), dir);
        }
    }

    /** PEFT's initial adapter; for P-tuning its encoder, which PEFT does not save. */
    static Adapters initial(String method, Path dir, PretrainedModel model) throws IOException {
        Path initial = dir.resolve("initial-adapter");
        if (!method.startsWith("p-tuning")) {
            return PeftMethod.readAny(initial, model.block(), DataType.FLOAT32, model.manager());
        }
        Map<String, NDArray> state = new LinkedHashMap<>();
        try (SafetensorsFile file =
                        SafetensorsFile.open(dir.resolve("initial-encoder.safetensors"));
                TensorLoader loader = new TensorLoader()) {
            for (String name : file.names()) {
                state.put(
                        name,
                        loader.load(
                                file.tensor(name),
                                WeightLayout.AS_IS,
                                model.manager(),
                                DataType.FLOAT32));
            }
        }
        PromptLearningSpec spec = new PromptLearningSpec();
        spec.numVirtualTokens = (int) state.get("embedding.weight").getShape().get(0);
        boolean lstm = state.containsKey("lstm_head.weight_hh_l0");
        spec.encoder = lstm ? PromptLearningSpec.Encoder.LSTM : PromptLearningSpec.Encoder.MLP;
        spec.encoderHiddenSize =
                (int)
                        (lstm
                                ? state.get("lstm_head.weight_hh_l0").getShape().get(1)
                                : state.get("mlp_head.0.weight").getShape().get(0));
        return PromptLearningMethod.withEncoder(model.block(), spec, state);
    }

    static Path base(String model) {
        return model.equals("gpt2") ? GPT2 : LLAMA;
    }

    static String suffix(String model) {
        return model.equals("gpt2") ? "-gpt2" : "";
    }
}
