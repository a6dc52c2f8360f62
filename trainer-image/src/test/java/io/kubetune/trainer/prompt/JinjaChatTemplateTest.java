package io.kubetune.trainer.prompt;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kubetune.trainer.data.Role;
import io.kubetune.trainer.data.Turn;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Real templates (Llama 3.1/3.2, Qwen2.5, Mistral Nemo) render as transformers renders them. */
class JinjaChatTemplateTest {
    static Stream<JsonNode> cases() throws IOException {
        try (InputStream in = resource("expected.json")) {
            JsonNode root = new ObjectMapper().readTree(in);
            List<JsonNode> cases = new ArrayList<>();
            root.get("cases").forEach(cases::add);
            return cases.stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rendersLikeTransformers(JsonNode c) throws IOException {
        JinjaChatTemplate template = template(c);
        String rendered =
                template.render(
                        turns(c.get("messages")), c.get("add_generation_prompt").asBoolean());
        assertThat(rendered.replace("\n", "⏎"))
                .isEqualTo(c.get("expected").asText().replace("\n", "⏎"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void segmentsJoinToTheRenderingAndMarkOnlyReplies(JsonNode c) throws IOException {
        if (c.get("add_generation_prompt").asBoolean()) {
            return;
        }
        List<Turn> turns = turns(c.get("messages"));
        List<Segment> segments = template(c).segments(turns);

        assertThat(String.join("", segments.stream().map(Segment::text).toList()))
                .isEqualTo(c.get("expected").asText());
        List<String> replies =
                segments.stream().filter(Segment::trainable).map(Segment::text).toList();
        List<Turn> assistantTurns = turns.stream().filter(t -> t.role() == Role.ASSISTANT).toList();
        assertThat(replies).hasSameSizeAs(assistantTurns);
        String eos = c.get("eos_token").asText();
        for (int i = 0; i < replies.size(); i++) {
            assertThat(replies.get(i)).contains(assistantTurns.get(i).content().strip());
            assertThat(replies.get(i).strip())
                    .as("reply %d ends with the end-of-turn token", i)
                    .endsWith(eos);
            for (Turn user : turns.stream().filter(t -> t.role() != Role.ASSISTANT).toList()) {
                assertThat(replies.get(i)).doesNotContain(user.content());
            }
        }
    }

    private static JinjaChatTemplate template(JsonNode c) throws IOException {
        String source;
        try (InputStream in = resource(c.get("template").asText())) {
            source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        return new JinjaChatTemplate(
                source,
                Map.of(
                        "bos_token",
                        c.get("bos_token").asText(),
                        "eos_token",
                        c.get("eos_token").asText(),
                        "date_string",
                        c.get("date_string").asText()));
    }

    private static List<Turn> turns(JsonNode messages) {
        List<Turn> turns = new ArrayList<>();
        messages.forEach(
                m ->
                        turns.add(
                                new Turn(
                                        Role.parse(m.get("role").asText()),
                                        m.get("content").asText())));
        return turns;
    }

    private static InputStream resource(String name) {
        return JinjaChatTemplateTest.class.getResourceAsStream("/chat-templates/" + name);
    }
}
