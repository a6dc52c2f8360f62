package io.kubetune.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubetune.trainer.prompt.AdapterTemplate;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code generate} and {@code chat} answer as the model was trained: they stop at its EOS without
 * printing it, prompt with the template saved beside the adapter, warn when they have to guess, and
 * {@code chat} keeps the conversation it reads from stdin.
 */
class ChatCommandTest {
    private static final Path GPT2 = Path.of("src/test/resources/fixtures/models/gpt2");
    private static final Path GPT2_ADAPTER =
            Path.of("src/test/resources/fixtures/peft/peft-written-gpt2");
    private static final String PROMPT = "The cat sat on the mat.";

    @TempDir Path tmp;

    /** What a run printed: exit code, stdout, stderr. */
    record Run(int exit, String out, String err) {}

    @Test
    void generateStopsAtTheModelsEosAndDoesNotPrintIt() throws IOException {
        // the reference greedy continuation is "ley Pro Pro Pro Pro" then token 3886
        Path model = copy(GPT2, tmp.resolve("model"));
        Files.writeString(
                model.resolve("generation_config.json"),
                "{\"eos_token_id\": 3886, \"bos_token_id\": 4096}");

        Run run =
                run(
                        "",
                        "generate",
                        "--model",
                        model.toString(),
                        "--template",
                        "none",
                        "--max-new-tokens",
                        "20",
                        PROMPT);

        assertThat(run.exit()).isZero();
        assertThat(run.out().strip()).isEqualTo("ley Pro Pro Pro Pro");
    }

    @Test
    void generateUsesTheTemplateSavedWithTheAdapter() throws IOException {
        Path adapter = copy(GPT2_ADAPTER, tmp.resolve("adapter"));
        Files.writeString(adapter.resolve(AdapterTemplate.FILE), "{\"template\":\"alpaca\"}");

        Run byDefault = generate(adapter);
        Run alpaca = generate(adapter, "--template", "alpaca");
        Run chatml = generate(adapter, "--template", "chatml");

        assertThat(byDefault.exit()).isZero();
        assertThat(byDefault.out()).isEqualTo(alpaca.out()).isNotEqualTo(chatml.out());
        assertThat(byDefault.err()).doesNotContain("warning");
    }

    @Test
    void guessingTheTemplateIsWarnedAbout() throws IOException {
        Path adapter = copy(GPT2_ADAPTER, tmp.resolve("adapter"));

        Run run = generate(adapter);

        assertThat(run.exit()).isZero();
        assertThat(run.err())
                .contains("has no " + AdapterTemplate.FILE)
                .contains("has no chat_template: using chatml");
    }

    @Test
    void hostileChatTemplateIsOneLineAndExitTwoWithinSeconds() throws IOException {
        Path model = copy(GPT2, tmp.resolve("model"));
        String config = Files.readString(model.resolve("tokenizer_config.json"));
        String loops =
                "{% for a in range(10000) %}{% for b in range(10000) %}{% for c in range(10000)"
                        + " %}{% set x = a %}{% endfor %}{% endfor %}{% endfor %}";
        Files.writeString(
                model.resolve("tokenizer_config.json"),
                config.replaceFirst("\\{", "{\"chat_template\": \"" + loops + "\","));
        long start = System.nanoTime();

        Run run = run("", "generate", "--model", model.toString(), "--template", "model", "Hi");

        assertThat(run.exit()).isEqualTo(2);
        // stderr: the device line every model-loading command logs, then the one error line
        assertThat(run.err().strip().replaceFirst("^kubetune: device [^\n]*\n", ""))
                // the time limit or the step cap, whichever the machine reaches first
                .startsWith("error: the model's tokenizer_config.json chat_template ")
                .containsAnyOf("took longer than 5 s", "rendered more than")
                .contains("set the dataset's template")
                .doesNotContain("\n")
                .doesNotContain("{% for");
        assertThat(System.nanoTime() - start).isLessThan(30_000_000_000L);
    }

    @Test
    void chatKeepsTheConversationReadFromStdin() {
        String[] chat = {
            "chat", "--model", GPT2.toString(), "--template", "chatml", "--max-new-tokens", "6"
        };

        Run twoTurns = run("Hello there\n\nHow are you?\n/exit\nnot read\n", chat);
        Run secondAlone = run("How are you?\n", chat);
        Run firstAsGenerate =
                run(
                        "",
                        "generate",
                        "--model",
                        GPT2.toString(),
                        "--template",
                        "chatml",
                        "--max-new-tokens",
                        "6",
                        "Hello there");

        assertThat(twoTurns.exit()).isZero();
        List<String> answers = twoTurns.out().lines().toList();
        assertThat(answers).hasSize(2);
        assertThat(answers.get(0)).isEqualTo(firstAsGenerate.out().strip());
        // the second answer is given in the light of the first exchange
        assertThat(answers.get(1)).isNotEqualTo(secondAlone.out().strip());
    }

    private Run generate(Path adapter, String... extra) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "generate",
                                "--model",
                                GPT2.toString(),
                                "--adapter",
                                adapter.toString(),
                                "--max-new-tokens",
                                "8"));
        args.addAll(List.of(extra));
        args.add(PROMPT);
        return run("", args.toArray(String[]::new));
    }

    private static Run run(String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream originalOut = System.out;
        PrintStream originalErr = System.err;
        InputStream originalIn = System.in;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        try {
            int exit = KubetuneCli.commandLine().execute(args);
            return new Run(
                    exit,
                    out.toString(StandardCharsets.UTF_8),
                    err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(originalOut);
            System.setErr(originalErr);
            System.setIn(originalIn);
        }
    }

    private static Path copy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
        return to;
    }
}
