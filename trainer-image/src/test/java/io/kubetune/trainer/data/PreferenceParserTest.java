package io.kubetune.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kubetune.api.v1alpha1.ColumnMapping;
import io.kubetune.api.v1alpha1.DataFormat;
import io.kubetune.api.v1alpha1.DatasetSpec;
import io.kubetune.api.v1alpha1.PromptTemplate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Preference records in TRL's and LLaMA-Factory's layouts; bad pairs reported by line. */
class PreferenceParserTest {
    private static Sample.Preference parse(ColumnMapping columns, Map<String, Object> record) {
        return (Sample.Preference) SampleParser.of(DataFormat.PREFERENCE, columns).parse(record);
    }

    @Test
    void llamaFactoryAlpacaLayoutBecomesOneUserTurnWithItsInput() {
        ColumnMapping columns = new ColumnMapping();
        columns.instruction = "instruction";
        Sample.Preference pair =
                parse(
                        columns,
                        Map.of(
                                "instruction", "Define the word.",
                                "input", "harbour",
                                "chosen", "A sheltered port.",
                                "rejected", "A cat."));

        assertThat(pair.prompt())
                .containsExactly(new Turn(Role.USER, "Define the word.", "harbour"));
        assertThat(pair.chosen()).containsExactly(new Turn(Role.ASSISTANT, "A sheltered port."));
        assertThat(pair.plainText()).isFalse();
    }

    @Test
    void llamaFactorySharegptLayoutTakesThePromptTurnsAndOneMessagePerAnswer() {
        ColumnMapping columns = new ColumnMapping();
        columns.messages = "conversations";
        Sample.Preference pair =
                parse(
                        columns,
                        Map.of(
                                "conversations",
                                List.of(Map.of("from", "human", "value", "Define sail.")),
                                "chosen",
                                Map.of("from", "gpt", "value", "Canvas that catches wind."),
                                "rejected",
                                Map.of("from", "gpt", "value", "A bone.")));

        assertThat(pair.prompt()).containsExactly(new Turn(Role.USER, "Define sail."));
        assertThat(pair.rejected()).containsExactly(new Turn(Role.ASSISTANT, "A bone."));
    }

    @Test
    void withoutAPromptTheSharedTurnsArePromptAsTrlExtractsThem() {
        Map<String, Object> user = Map.of("role", "user", "content", "Define oar.");
        Sample.Preference pair =
                parse(
                        null,
                        Map.of(
                                "chosen",
                                List.of(user, Map.of("role", "assistant", "content", "A pole.")),
                                "rejected",
                                List.of(user, Map.of("role", "assistant", "content", "An ore."))));

        assertThat(pair.prompt()).containsExactly(new Turn(Role.USER, "Define oar."));
        assertThat(pair.chosen()).containsExactly(new Turn(Role.ASSISTANT, "A pole."));
    }

    @Test
    void theMarginColumnIsRead() {
        Sample.Preference pair =
                parse(null, Map.of("prompt", "Q", "chosen", "a", "rejected", "b", "margin", 1.5));

        assertThat(pair.margin()).isEqualTo(1.5);
    }

    @Test
    void badPairsNameTheirFault() {
        assertThatThrownBy(() -> parse(null, Map.of("prompt", "Q", "chosen", "a")))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining("missing column \"rejected\"");
        assertThatThrownBy(() -> parse(null, Map.of("prompt", "Q", "chosen", "a", "rejected", "a")))
                .hasMessageContaining("the same answer");
        assertThatThrownBy(
                        () ->
                                parse(
                                        null,
                                        Map.of(
                                                "chosen",
                                                "a",
                                                "rejected",
                                                List.of(
                                                        Map.of(
                                                                "role",
                                                                "assistant",
                                                                "content",
                                                                "b")))))
                .hasMessageContaining("both be text or both be messages");
    }

    @Test
    void templateNoneRefusesMessagesAndLoaderReportsTheLine(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("pairs.jsonl");
        Files.writeString(
                file,
                String.join(
                        "\n",
                        "{\"prompt\": \"Q1\", \"chosen\": \" a\", \"rejected\": \" b\"}",
                        "{\"prompt\": \"Q2\", \"chosen\": \" a\", \"rejected\": \" c\"}",
                        "{\"prompt\": [{\"role\": \"user\", \"content\": \"Q3\"}],"
                                + " \"chosen\": [{\"role\": \"assistant\", \"content\": \"a\"}],"
                                + " \"rejected\": [{\"role\": \"assistant\", \"content\": \"b\"}]}"));
        DatasetSpec spec = new DatasetSpec();
        spec.format = DataFormat.PREFERENCE;
        spec.template = PromptTemplate.NONE;

        DatasetLoader.Loaded loaded = DatasetLoader.load(spec, file);

        assertThat(loaded.samples()).hasSize(2);
        assertThat(loaded.problems())
                .singleElement()
                .satisfies(
                        p -> {
                            assertThat(p.line()).isEqualTo(3);
                            assertThat(p.message()).contains("template none");
                        });
    }
}
