package io.kubetune.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kubetune.api.v1alpha1.ColumnMapping;
import io.kubetune.api.v1alpha1.DataFormat;
import io.kubetune.api.v1alpha1.DatasetSpec;
import io.kubetune.api.v1alpha1.PromptTemplate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Format kto records: TRL's {prompt, completion, label}, as text or messages; bad ones refused. */
class FeedbackParserTest {
    private static Sample.Feedback parse(PromptTemplate template, Map<String, Object> record) {
        DatasetSpec dataset = new DatasetSpec();
        dataset.format = DataFormat.KTO;
        dataset.template = template;
        return (Sample.Feedback) SampleParser.of(dataset).parse(record);
    }

    @Test
    void textRecordsKeepTheirTextVerbatim() {
        Sample.Feedback f =
                parse(
                        PromptTemplate.NONE,
                        Map.of("prompt", "The sea is ", "completion", "deep", "label", false));

        assertThat(f.prompt()).containsExactly(new Turn(Role.USER, "The sea is "));
        assertThat(f.completion()).containsExactly(new Turn(Role.ASSISTANT, "deep"));
        assertThat(f.plainText()).isTrue();
        assertThat(f.desirable()).isFalse();
    }

    @Test
    void messageRecordsAreConversations() {
        Sample.Feedback f =
                parse(
                        PromptTemplate.MODEL,
                        Map.of(
                                "prompt",
                                List.of(Map.of("role", "user", "content", "Define sail.")),
                                "completion",
                                List.of(Map.of("role", "assistant", "content", "Canvas.")),
                                "label",
                                true));

        assertThat(f.prompt()).containsExactly(new Turn(Role.USER, "Define sail."));
        assertThat(f.completion()).containsExactly(new Turn(Role.ASSISTANT, "Canvas."));
        assertThat(f.plainText()).isFalse();
        assertThat(f.desirable()).isTrue();
    }

    @Test
    void mappedColumnsAreRead() {
        ColumnMapping columns = new ColumnMapping();
        columns.prompt = "question";
        columns.completion = "answer";
        columns.label = "good";
        Sample.Feedback f =
                (Sample.Feedback)
                        SampleParser.of(DataFormat.KTO, columns)
                                .parse(Map.of("question", "Q", "answer", "A", "good", true));

        assertThat(f.completion()).containsExactly(new Turn(Role.ASSISTANT, "A"));
        assertThat(f.desirable()).isTrue();
    }

    @Test
    void aLabelThatIsNotABooleanIsRefusedNamingTheColumn() {
        assertThatThrownBy(
                        () ->
                                parse(
                                        PromptTemplate.NONE,
                                        Map.of("prompt", "Q", "completion", "A", "label", "yes")))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessage(
                        "column \"label\" must be true (desirable) or false (undesirable), not yes");
        assertThatThrownBy(() -> parse(PromptTemplate.NONE, Map.of("prompt", "Q", "label", true)))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessageStartingWith("missing column \"completion\"");
    }

    @Test
    void messagesUnderTemplateNoneAndMixedKindsAreRefused() {
        Map<String, Object> messages =
                Map.of(
                        "prompt",
                        List.of(Map.of("role", "user", "content", "Q")),
                        "completion",
                        List.of(Map.of("role", "assistant", "content", "A")),
                        "label",
                        true);
        assertThatThrownBy(() -> parse(PromptTemplate.NONE, messages))
                .hasMessageContaining("give the dataset a chat template");
        Map<String, Object> mixed =
                Map.of(
                        "prompt",
                        "Q",
                        "completion",
                        List.of(Map.of("role", "assistant", "content", "A")),
                        "label",
                        true);
        assertThatThrownBy(() -> parse(PromptTemplate.MODEL, mixed))
                .hasMessageContaining("must both be text or both be messages");
    }
}
