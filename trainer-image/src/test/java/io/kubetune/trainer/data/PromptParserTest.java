package io.kubetune.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kubetune.api.v1alpha1.ColumnMapping;
import io.kubetune.api.v1alpha1.DataFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Format prompt: the prompt as text or messages, the other columns kept for the rewards. */
class PromptParserTest {
    private final SampleParser parser = SampleParser.of(DataFormat.PROMPT, null);

    @Test
    void aTextPromptIsOneUserTurnAndOtherColumnsAreKeptAsText() {
        Sample.Prompt p =
                (Sample.Prompt)
                        parser.parse(Map.of("prompt", "What is 6 x 7?", "answer", 42, "id", "q1"));
        assertThat(p.prompt()).containsExactly(new Turn(Role.USER, "What is 6 x 7?"));
        assertThat(p.plainText()).isTrue();
        assertThat(p.columns()).containsEntry("answer", "42").containsEntry("id", "q1");
        assertThat(p.columns()).doesNotContainKey("prompt");
    }

    @Test
    void messagesAndAMappedColumnAreRead() {
        ColumnMapping columns = new ColumnMapping();
        columns.prompt = "question";
        Sample.Prompt p =
                (Sample.Prompt)
                        SampleParser.of(DataFormat.PROMPT, columns)
                                .parse(
                                        Map.of(
                                                "question",
                                                List.of(
                                                        Map.of(
                                                                "role",
                                                                "system",
                                                                "content",
                                                                "Be brief."),
                                                        Map.of(
                                                                "role",
                                                                "user",
                                                                "content",
                                                                "Define up.")),
                                                "answer",
                                                "spatially higher"));
        assertThat(p.plainText()).isFalse();
        assertThat(p.prompt()).hasSize(2);
        assertThat(p.prompt().get(1).content()).isEqualTo("Define up.");
        assertThat(p.columns()).containsOnlyKeys("answer");
    }

    @Test
    void aMissingPromptNamesTheColumn() {
        assertThatThrownBy(() -> parser.parse(Map.of("answer", "x")))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining("\"prompt\"");
    }
}
