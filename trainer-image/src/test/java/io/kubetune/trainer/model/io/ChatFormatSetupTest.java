package io.kubetune.trainer.model.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.kubetune.api.v1alpha1.PromptTemplate;
import io.kubetune.trainer.data.Role;
import io.kubetune.trainer.data.Turn;
import io.kubetune.trainer.model.ModelInput;
import io.kubetune.trainer.model.Precision;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.prompt.ChatTemplates;
import io.kubetune.trainer.tokenizer.HfTokenizer;
import io.kubetune.trainer.tokenizer.SpecialTokens;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ChatML set-up of a base model compared with transformers after TRL's setup_chat_format
 * (tools/reference/make_chat_format_fixtures.py).
 */
class ChatFormatSetupTest {
    private static final Path BASE = Path.of("../examples/models/tiny-llama-moby");

    // transformers samples the new rows around the mean with covariance 1e-9 * cov: noise ~3e-5
    // std.
    private static final double ROW_TOLERANCE = 1e-4;
    private static final double LOGIT_TOLERANCE = 1e-3;

    @TempDir static Path work;
    static JsonObject fixture;
    static Path adapted;

    @BeforeAll
    static void adapt() throws Exception {
        fixture =
                JsonParser.parseString(
                                Files.readString(
                                        Path.of(
                                                "src/test/resources/fixtures/chat-format/tiny-llama-moby.json")))
                        .getAsJsonObject();
        try (NDManager manager = NDManager.newBaseManager()) {
            adapted = ChatFormatSetup.apply(BASE, work.resolve("adapted"), manager);
        }
    }

    @Test
    void addsTheTokensWithTransformersIdsAndSetsBosEosPad() throws Exception {
        HfConfig config = HfConfig.read(adapted.resolve("config.json"));
        assertThat(config.getInt("vocab_size")).isEqualTo(fixture.get("vocabSize").getAsInt());
        assertThat(config.getInt("bos_token_id")).isEqualTo(fixture.get("bosTokenId").getAsInt());
        assertThat(config.getInt("eos_token_id")).isEqualTo(fixture.get("eosTokenId").getAsInt());
        assertThat(config.getInt("pad_token_id")).isEqualTo(fixture.get("padTokenId").getAsInt());
        SpecialTokens tokens = SpecialTokens.read(adapted);
        assertThat(tokens.bos().orElseThrow().id()).isEqualTo(fixture.get("imStartId").getAsLong());
        assertThat(tokens.eos().orElseThrow().id()).isEqualTo(fixture.get("imEndId").getAsLong());
        assertThat(tokens.paddingId()).isEqualTo(fixture.get("imEndId").getAsInt());
        assertThat(SpecialTokens.read(BASE).chatTemplate()).as("base untouched").isEmpty();
    }

    @Test
    void rendersAndTokenizesTheConversationAsTransformers() throws Exception {
        List<Turn> turns = new ArrayList<>();
        for (JsonElement e : fixture.getAsJsonArray("conversation")) {
            JsonObject m = e.getAsJsonObject();
            turns.add(
                    new Turn(
                            Role.parse(m.get("role").getAsString()),
                            m.get("content").getAsString()));
        }
        try (HfTokenizer tokenizer = HfTokenizer.load(adapted)) {
            ChatTemplates.Choice choice =
                    ChatTemplates.choose(PromptTemplate.MODEL, tokenizer.specialTokens());
            String text = choice.template().render(turns, false);
            assertThat(text).isEqualTo(fixture.get("text").getAsString());
            assertThat(tokenizer.encode(text, false)).containsExactly(longs(fixture, "ids"));
        }
    }

    @Test
    void newRowsAreTheMeanAndTheLogitsMatch() throws Exception {
        long[] ids = longs(fixture, "ids");
        JsonArray rows = fixture.getAsJsonArray("newEmbeddingRows");
        JsonArray logits = fixture.getAsJsonArray("lastLogits");
        try (PretrainedModel model = PretrainedModel.load(adapted, Device.cpu(), Precision.FP32);
                NDManager step = model.manager().newSubManager();
                Checkpoint checkpoint = Checkpoint.open(adapted);
                TensorLoader loader = new TensorLoader()) {
            NDArray embedding =
                    loader.load(
                            checkpoint.tensor("model.embed_tokens.weight"),
                            WeightLayout.AS_IS,
                            step,
                            DataType.FLOAT32);
            int oldVocab = fixture.get("oldVocabSize").getAsInt();
            for (int r = 0; r < rows.size(); r++) {
                float[] got = embedding.get(oldVocab + r).toFloatArray();
                assertThat(maxAbsDiff(rows.get(r).getAsJsonArray(), got))
                        .as("embedding row %d", oldVocab + r)
                        .isLessThan(ROW_TOLERANCE);
            }
            NDArray out =
                    model.block()
                            .logits(
                                    model.parameterStore(),
                                    ModelInput.of(step.create(ids, new Shape(1, ids.length))),
                                    false);
            for (int i = 0; i < logits.size(); i++) {
                int position = ids.length - logits.size() + i;
                float[] got = out.get(0, position).toFloatArray();
                double worst = maxAbsDiff(logits.get(i).getAsJsonArray(), got);
                System.out.printf(
                        "chat format: position %d max |logit diff| %.2e%n", position, worst);
                assertThat(worst).as("logits at %d", position).isLessThan(LOGIT_TOLERANCE);
            }
        }
    }

    @Test
    void refusesAModelThatHasAChatTemplate() throws Exception {
        try (NDManager manager = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> ChatFormatSetup.apply(adapted, work.resolve("twice"), manager))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("spec.chatFormat")
                    .hasMessageContaining("template: model");
        }
    }

    private static long[] longs(JsonObject json, String key) {
        JsonArray array = json.getAsJsonArray(key);
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).getAsLong();
        }
        return out;
    }

    private static double maxAbsDiff(JsonArray want, float[] got) {
        assertThat(got).hasSize(want.size());
        double worst = 0;
        for (int i = 0; i < got.length; i++) {
            worst = Math.max(worst, Math.abs(want.get(i).getAsDouble() - got[i]));
        }
        return worst;
    }
}
