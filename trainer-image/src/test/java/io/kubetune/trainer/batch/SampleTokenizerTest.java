package io.kubetune.trainer.batch;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubetune.api.v1alpha1.PromptTemplate;
import io.kubetune.trainer.data.Role;
import io.kubetune.trainer.data.Sample;
import io.kubetune.trainer.data.Turn;
import io.kubetune.trainer.prompt.ChatTemplates;
import io.kubetune.trainer.tokenizer.HfTokenizer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Loss masking on real tokens: only the reply and its end-of-sequence token are labelled. */
class SampleTokenizerTest {
    private static final Path GPT2 = Path.of("src/test/resources/fixtures/models/gpt2");
    private static HfTokenizer tokenizer;

    private static final Sample.Chat CHAT =
            new Sample.Chat(
                    List.of(
                            new Turn(Role.USER, "Define harbor.", "Use one sentence — ✓ please."),
                            new Turn(Role.ASSISTANT, "A sheltered place for ships.")));

    @BeforeAll
    static void load() throws Exception {
        tokenizer = HfTokenizer.load(GPT2);
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    @Test
    void onlyTheReplyAndEosAreLabelled() {
        ChatTemplates.Choice alpaca =
                ChatTemplates.choose(PromptTemplate.ALPACA, tokenizer.specialTokens());
        TokenizedSample sample =
                new SampleTokenizer(
                                tokenizer,
                                alpaca.template(),
                                alpaca.writesSpecialTokens(),
                                false,
                                1024,
                                -1)
                        .tokenize(CHAT);

        assertThat(decode(sample.ids())).isEqualTo(alpaca.template().render(CHAT.turns(), false));
        long[] labelled =
                Arrays.stream(sample.labels())
                        .filter(l -> l != TokenizedSample.IGNORE)
                        .asLongStream()
                        .toArray();
        assertThat(decode(labelled)).isEqualTo("A sheltered place for ships.<|endoftext|>");
        int firstLabelled = 0;
        while (sample.labels()[firstLabelled] == TokenizedSample.IGNORE) {
            firstLabelled++;
        }
        assertThat(decode(Arrays.copyOfRange(sample.ids(), 0, firstLabelled)))
                .endsWith("### Response:\n");
    }

    @Test
    void trainOnPromptLabelsEverything() {
        ChatTemplates.Choice chatml =
                ChatTemplates.choose(PromptTemplate.CHATML, tokenizer.specialTokens());
        TokenizedSample sample =
                new SampleTokenizer(tokenizer, chatml.template(), false, true, 1024, -1)
                        .tokenize(CHAT);
        assertThat(sample.labels()).isEqualTo(sample.ids());
    }

    @Test
    void pretrainingTextEndsWithEosAndIsCutAtTheCutoff() {
        long eos = tokenizer.specialTokens().eos().orElseThrow().id();
        TokenizedSample text =
                new SampleTokenizer(tokenizer, null, false, false, 1024, eos)
                        .tokenize(new Sample.Text("Call me Ishmael."));
        assertThat(text.ids()[text.length() - 1]).isEqualTo((int) eos);
        assertThat(text.labels()).isEqualTo(text.ids());

        TokenizedSample cut =
                new SampleTokenizer(tokenizer, null, false, false, 3, eos)
                        .tokenize(new Sample.Text("Call me Ishmael. Some years ago"));
        assertThat(cut.length()).isEqualTo(3);
    }

    private static String decode(int[] ids) {
        return decode(Arrays.stream(ids).asLongStream().toArray());
    }

    private static String decode(long[] ids) {
        return tokenizer.decode(ids, false);
    }
}
