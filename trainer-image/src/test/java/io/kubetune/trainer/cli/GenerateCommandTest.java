package io.kubetune.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** `kubetune generate` answers with the greedy continuation transformers gives. */
class GenerateCommandTest {
    @Test
    void greedyAnswerOfARawPromptIsTheReferenceContinuation() throws Exception {
        com.fasterxml.jackson.databind.JsonNode reference =
                new com.fasterxml.jackson.databind.ObjectMapper()
                        .readTree(
                                new java.io.File(
                                        "src/test/resources/fixtures/models/gpt2/reference/reference.json"))
                        .get("cases")
                        .get(0);
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        int exit;
        try {
            exit =
                    KubetuneCli.commandLine()
                            .execute(
                                    "generate",
                                    "--model",
                                    "src/test/resources/fixtures/models/gpt2",
                                    "--template",
                                    "none",
                                    "--max-new-tokens",
                                    "20",
                                    reference.get("prompt").asText());
        } finally {
            System.setOut(original);
        }
        assertThat(exit).isZero();
        assertThat(captured.toString(StandardCharsets.UTF_8).strip())
                .isEqualTo(reference.get("greedy_text").asText().strip());
    }
}
