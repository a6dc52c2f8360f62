package io.kubetune.trainer.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.kubetune.trainer.fixtures.ReferenceFixture;
import java.io.Reader;
import java.nio.file.Files;
import java.util.stream.StreamSupport;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The tokenizer against transformers' golden vectors ({@code reference/tokenizer_cases.json}): ids
 * with and without special tokens, and decoding with and without them, over texts with emoji, CJK,
 * combining marks, whitespace runs and special-token look-alikes.
 */
class HfTokenizerTest {

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama", "qwen2"})
    void matchesTransformersOnGoldenTexts(String name) throws Exception {
        ReferenceFixture fixture = ReferenceFixture.load(name);
        JsonObject cases;
        try (Reader reader =
                Files.newBufferedReader(fixture.dir().resolve("reference/tokenizer_cases.json"))) {
            cases = JsonParser.parseReader(reader).getAsJsonObject();
        }
        try (HfTokenizer tokenizer = HfTokenizer.load(fixture.dir())) {
            for (JsonElement e : cases.getAsJsonArray("texts")) {
                JsonObject c = e.getAsJsonObject();
                String text = c.get("text").getAsString();
                long[] ids = longs(c, "ids");
                assertThat(tokenizer.encode(text)).as("ids of %s", text).containsExactly(ids);
                assertThat(tokenizer.encode(text, false))
                        .as("ids without special tokens of %s", text)
                        .containsExactly(longs(c, "ids_no_special"));
                assertThat(tokenizer.decode(ids, false))
                        .as("decoding of %s", text)
                        .isEqualTo(c.get("decoded").getAsString());
                assertThat(tokenizer.decode(ids, true))
                        .as("decoding without special tokens of %s", text)
                        .isEqualTo(c.get("decoded_skip_special").getAsString());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"qwen2"})
    void readsSpecialTokensAndChatTemplate(String name) throws Exception {
        ReferenceFixture fixture = ReferenceFixture.load(name);
        try (HfTokenizer tokenizer = HfTokenizer.load(fixture.dir())) {
            SpecialTokens special = tokenizer.specialTokens();
            assertThat(special.eos())
                    .get()
                    .extracting(SpecialTokens.Token::content)
                    .isEqualTo("<|im_end|>");
            assertThat(special.pad()).get().extracting(SpecialTokens.Token::id).isEqualTo(4096L);
            assertThat(special.bos()).isEmpty();
            assertThat(special.chatTemplate()).get().asString().contains("<|im_start|>");
        }
    }

    private static long[] longs(JsonObject c, String key) {
        return StreamSupport.stream(c.getAsJsonArray(key).spliterator(), false)
                .mapToLong(JsonElement::getAsLong)
                .toArray();
    }
}
