package io.kubetune.trainer.prompt;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubetune.trainer.data.Role;
import io.kubetune.trainer.data.Turn;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The seeds' templates, word for word, and only the replies trainable. */
class BuiltInTemplatesTest {
    private static final List<Turn> WITH_INPUT =
            List.of(
                    new Turn(Role.USER, "Translate to English.", "bonjour"),
                    new Turn(Role.ASSISTANT, "hello"));

    @Test
    void alpacaWithInputIsStanfordAlpacasPrompt() {
        assertThat(new AlpacaTemplate("</s>").render(WITH_INPUT, false))
                .isEqualTo(
                        "Below is an instruction that describes a task, paired with an input that provides further context. Write a response that appropriately completes the request.\n\n"
                                + "### Instruction:\nTranslate to English.\n\n### Input:\nbonjour\n\n### Response:\nhello</s>");
        assertThat(new AlpacaTemplate("</s>").segments(WITH_INPUT))
                .last()
                .isEqualTo(new Segment("hello</s>", true));
    }

    @Test
    void alpacaWithoutInputUsesTheShortPreamble() {
        List<Turn> turns =
                List.of(new Turn(Role.USER, "Define harbor."), new Turn(Role.ASSISTANT, "A port."));
        assertThat(new AlpacaTemplate("</s>").render(turns, false))
                .isEqualTo(
                        "Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n### Instruction:\nDefine harbor.\n\n### Response:\nA port.</s>");
    }

    @Test
    void vicunaMarksEachReplyWithItsSeparator() {
        List<Turn> turns =
                List.of(
                        new Turn(Role.USER, "Hi"),
                        new Turn(Role.ASSISTANT, "Hello"),
                        new Turn(Role.USER, "Bye"),
                        new Turn(Role.ASSISTANT, "Bye!"));
        List<Segment> segments = new VicunaTemplate("</s>").segments(turns);
        assertThat(String.join("", segments.stream().map(Segment::text).toList()))
                .isEqualTo(
                        VicunaTemplate.DEFAULT_SYSTEM
                                + " USER: Hi ASSISTANT: Hello</s>USER: Bye ASSISTANT: Bye!</s>");
        assertThat(segments.stream().filter(Segment::trainable).map(Segment::text))
                .containsExactly(" Hello</s>", " Bye!</s>");
    }

    @Test
    void chatMlIsTrlsSetupChatFormat() {
        List<Turn> turns =
                List.of(
                        new Turn(Role.SYSTEM, "Be brief."),
                        new Turn(Role.USER, "Hi"),
                        new Turn(Role.ASSISTANT, "Hello"));
        assertThat(new ChatMlTemplate().render(turns, false))
                .isEqualTo(
                        "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello<|im_end|>\n");
        assertThat(
                        new ChatMlTemplate()
                                .segments(turns).stream()
                                        .filter(Segment::trainable)
                                        .map(Segment::text))
                .containsExactly("Hello<|im_end|>\n");
        assertThat(new ChatMlTemplate().render(turns.subList(0, 2), true))
                .endsWith("<|im_start|>assistant\n");
    }
}
