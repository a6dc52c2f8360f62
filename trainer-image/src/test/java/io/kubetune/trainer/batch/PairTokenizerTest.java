package io.kubetune.trainer.batch;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.kubetune.api.v1alpha1.DataFormat;
import io.kubetune.api.v1alpha1.DatasetSpec;
import io.kubetune.api.v1alpha1.PromptTemplate;
import io.kubetune.trainer.data.Sample;
import io.kubetune.trainer.data.SampleParser;
import io.kubetune.trainer.prompt.ChatTemplates;
import io.kubetune.trainer.tokenizer.HfTokenizer;
import io.kubetune.trainer.tokenizer.SpecialTokens;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Pairs tokenize to exactly the ids TRL 1.16's DPOTrainer makes (fixtures/preference/
 * tokenization.json): text joined with EOS under template none, ChatML conversations, with the
 * prompt given or taken from the shared prefix; the prompt's tokens are shared and unlabelled.
 */
class PairTokenizerTest {
    private static final Path FIXTURES = Path.of("src/test/resources/fixtures");
    private static final String EOS = "<|end_of_text|>";
    private static HfTokenizer tokenizer;
    private static JsonObject reference;

    @BeforeAll
    static void load() throws Exception {
        tokenizer = HfTokenizer.load(FIXTURES.resolve("models/llama"));
        reference =
                JsonParser.parseString(
                                Files.readString(FIXTURES.resolve("preference/tokenization.json")))
                        .getAsJsonObject();
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    static Stream<JsonObject> cases() throws Exception {
        load();
        return reference.getAsJsonArray("cases").asList().stream()
                .map(JsonElement::getAsJsonObject);
    }

    @ParameterizedTest(name = "{index}: {0}")
    @MethodSource("cases")
    void sameIdsAsTrl(JsonObject c) {
        boolean chat = c.get("case").getAsString().startsWith("chat");
        TokenizedPair pair = pairTokenizer(chat, 64).tokenize(parse(c, chat)).orElseThrow();

        int[] prompt = ints(c, "prompt_ids");
        assertThat(pair.chosen()).containsExactly(concat(prompt, ints(c, "chosen_ids")));
        assertThat(pair.rejected()).containsExactly(concat(prompt, ints(c, "rejected_ids")));
        assertThat(pair.promptLength()).isEqualTo(prompt.length);
    }

    @Test
    void dpoCutsRowsAtTheCutoffAndDropsAPairWhosePromptFillsIt() {
        Sample.Preference pair = textPair("Define harbour:", " A sheltered port.", " A cat.");
        TokenizedPair full = pairTokenizer(false, 64).tokenize(pair).orElseThrow();
        int cutoff = full.promptLength() + 2;

        TokenizedPair cut = pairTokenizer(false, cutoff).tokenize(pair).orElseThrow();

        assertThat(cut.chosen()).containsExactly(java.util.Arrays.copyOf(full.chosen(), cutoff));
        assertThat(cut.promptLength()).isEqualTo(full.promptLength());
        assertThat(pairTokenizer(false, full.promptLength()).tokenize(pair)).isEmpty();
    }

    @Test
    void theRewardModelDropsAPairTooLongInsteadOfCuttingIt() {
        Sample.Preference pair = textPair("Define harbour:", " A sheltered port.", " A cat.");
        TokenizedPair full = pairTokenizer(false, 64).tokenize(pair).orElseThrow();
        PairTokenizer rm =
                new PairTokenizer(
                        tokenizer,
                        null,
                        false,
                        EOS,
                        full.chosen().length - 1,
                        PairTokenizer.Overflow.DROP);

        assertThat(rm.tokenize(pair)).isEmpty();
    }

    @Test
    void collatedChosenRowsComeFirstAndOnlyAnswersAreLabelled() {
        PairTokenizer pairs = pairTokenizer(false, 64);
        TokenizedPair a = pairs.tokenize(textPair("The sea is", " deep", " dry")).orElseThrow();
        TokenizedPair b =
                pairs.tokenize(textPair("Define whale:", " A sea animal.", " A tool."))
                        .orElseThrow();

        PairBatch batch = new PairCollator(4097).collate(List.of(a, b));

        assertThat(batch.pairs()).isEqualTo(2);
        assertThat(batch.rows().rows()).isEqualTo(4);
        assertThat(head(batch.rows().ids()[1], b.chosen().length)).containsExactly(b.chosen());
        assertThat(head(batch.rows().ids()[2], a.rejected().length)).containsExactly(a.rejected());
        int[] labels = batch.rows().labels()[0];
        IntStream.range(0, labels.length)
                .forEach(
                        i ->
                                assertThat(labels[i] != TokenizedSample.IGNORE)
                                        .as("token %d labelled", i)
                                        .isEqualTo(i >= a.promptLength() && i < a.chosen().length));
    }

    private static PairTokenizer pairTokenizer(boolean chat, int cutoff) {
        if (!chat) {
            return new PairTokenizer(
                    tokenizer, null, false, EOS, cutoff, PairTokenizer.Overflow.TRUNCATE);
        }
        SpecialTokens own = tokenizer.specialTokens();
        SpecialTokens withTemplate =
                new SpecialTokens(
                        own.bos(),
                        own.eos(),
                        own.pad(),
                        Optional.of(reference.get("chat_template").getAsString()));
        ChatTemplates.Choice choice = ChatTemplates.choose(PromptTemplate.MODEL, withTemplate);
        return new PairTokenizer(
                tokenizer,
                choice.template(),
                choice.writesSpecialTokens(),
                EOS,
                cutoff,
                PairTokenizer.Overflow.TRUNCATE);
    }

    @SuppressWarnings("unchecked")
    private static Sample.Preference parse(JsonObject c, boolean chat) {
        DatasetSpec dataset = new DatasetSpec();
        dataset.format = DataFormat.PREFERENCE;
        dataset.template = chat ? PromptTemplate.MODEL : PromptTemplate.NONE;
        Map<String, Object> record = new Gson().fromJson(c.get("record"), Map.class);
        return (Sample.Preference) SampleParser.of(dataset).parse(record);
    }

    private static Sample.Preference textPair(String prompt, String chosen, String rejected) {
        DatasetSpec dataset = new DatasetSpec();
        dataset.format = DataFormat.PREFERENCE;
        dataset.template = PromptTemplate.NONE;
        return (Sample.Preference)
                SampleParser.of(dataset)
                        .parse(Map.of("prompt", prompt, "chosen", chosen, "rejected", rejected));
    }

    private static int[] ints(JsonObject c, String key) {
        return c.getAsJsonArray(key).asList().stream().mapToInt(JsonElement::getAsInt).toArray();
    }

    private static int[] concat(int[] a, int[] b) {
        return IntStream.concat(IntStream.of(a), IntStream.of(b)).toArray();
    }

    private static int[] head(int[] row, int n) {
        return java.util.Arrays.copyOf(row, n);
    }
}
