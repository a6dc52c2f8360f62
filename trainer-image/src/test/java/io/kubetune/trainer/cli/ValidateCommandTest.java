package io.kubetune.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.kubetune.api.BadSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * `kubetune validate` refuses every spec of the corpus the real API server refuses
 * (BadSpecsRejectedIT), CEL rules included, with the same field named, on the right line.
 */
class ValidateCommandTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @TempDir Path dir;

    static Stream<BadSpec> corpus() {
        return BadSpec.all().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void refusesWhatTheApiServerRefusesWithTheFieldAndLineNamed(BadSpec bad) throws IOException {
        Path file = write(bad.resource());

        CliRun run = CliRun.of("validate", file.toString());

        assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
        Matcher named =
                Pattern.compile(
                                "^"
                                        + Pattern.quote(file.toString())
                                        + ":(\\d+): "
                                        + Pattern.quote(bad.field())
                                        + ": (.*)$",
                                Pattern.MULTILINE)
                        .matcher(run.err());
        assertThat(named.find()).as("a line naming %s in:%n%s", bad.field(), run.err()).isTrue();
        assertThat(named.group(2)).containsIgnoringCase(bad.message());
        String line = Files.readAllLines(file).get(Integer.parseInt(named.group(1)) - 1);
        if (bad.field().endsWith("]")) { // a list item: its first line
            assertThat(line).as("line %s", named.group(1)).contains("- ");
        } else {
            assertThat(line).as("line %s", named.group(1)).contains(lastPresentKey(bad, file));
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "../examples/finetunejob.yaml",
                "../examples/evaljob.yaml",
                "../examples/local/finetunejob.yaml",
                "../examples/local/pretrain.yaml",
                "../examples/local/kto.yaml",
                "../examples/local/inflection-sft.yaml",
                "../examples/local/grpo.yaml",
                "../examples/local/ppo.yaml",
                "src/test/resources/jobs/tiny-lora.yaml"
            })
    void acceptsTheExamples(String example) {
        CliRun run = CliRun.of("validate", example);

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains(example + ": a valid ");
    }

    @Test
    void saysWhichRelativePathsWouldNeedAnotherUriOnACluster() {
        CliRun run = CliRun.of("validate", "src/test/resources/jobs/tiny-lora.yaml");

        assertThat(run.out())
                .contains("note: spec.model.uri is a relative path")
                .contains("note: spec.datasets[0].uri is a relative path");
    }

    @Test
    void namesAnUnknownFieldAndTheKnownOnes() throws IOException {
        Path file = dir.resolve("typo.yaml");
        Files.writeString(
                file,
                Files.readString(Path.of("src/test/resources/jobs/tiny-lora.yaml"))
                        .replace("    batchSize: 2", "    batchsize: 2"));

        CliRun run = CliRun.of("validate", file.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.errLines())
                .containsExactly(
                        file
                                + ":22: spec.training.batchsize: unknown field \"batchsize\": check"
                                + " its spelling and indentation; known here: "
                                + knownTrainingFields(run.err()));
    }

    @Test
    void refusesPpoOnInstructionDataOnItsLine() throws IOException {
        Path file = dir.resolve("ppo.yaml");
        Files.writeString(
                file,
                Files.readString(Path.of("src/test/resources/jobs/tiny-lora.yaml"))
                        .replace(
                                "  method:\n",
                                "  stage: ppo\n  rewardModel:\n    uri: hf://org/rm\n"
                                        + "  method:\n"));
        CliRun run = CliRun.of("validate", file.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.errLines()).hasSize(1);
        assertThat(run.errLines().get(0))
                .startsWith(file + ":")
                .contains(": spec.datasets: stages grpo and ppo sample answers to prompts");
    }

    @Test
    void namesTheLineOfBrokenYaml() throws IOException {
        Path file = dir.resolve("broken.yaml");
        Files.writeString(file, "apiVersion: kubetune.io/v1alpha1\nkind: FineTuneJob\n  bad: [\n");

        CliRun run = CliRun.of("validate", file.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.errLines()).hasSize(1);
        assertThat(run.errLines().get(0)).startsWith("error: " + file + ":").contains("YAML");
    }

    @Test
    void refusesAKeySetTwiceInsteadOfKeepingTheLast() throws IOException {
        Path file = dir.resolve("twice.yaml");
        Files.writeString(
                file,
                "apiVersion: kubetune.io/v1alpha1\nkind: FineTuneJob\nmetadata:\n  name: a\n"
                        + "spec:\n  stage: sft\n  training:\n    maxSteps: 5\n  stage: pt\n");

        CliRun run = CliRun.of("validate", file.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.errLines())
                .containsExactly(
                        "error: "
                                + file
                                + ":9: spec.stage is set twice (first on line 6): keep one of"
                                + " them");
    }

    @Test
    void refusesAFileOfAnotherKind() throws IOException {
        Path file = dir.resolve("pod.yaml");
        Files.writeString(file, "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n");

        CliRun run = CliRun.of("validate", file.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.errLines())
                .containsExactly(
                        file
                                + ":2: kind: \"Pod\" is not a kubetune job: use kind: FineTuneJob"
                                + " or kind: EvalJob");
    }

    private static String knownTrainingFields(String err) {
        return err.substring(err.indexOf("known here: ") + "known here: ".length()).strip();
    }

    private Path write(JsonNode resource) throws IOException {
        Path file = dir.resolve("job.yaml");
        YAML.writeValue(file.toFile(), resource);
        return file;
    }

    /** The key of the named field, or of its nearest parent that is still in the file. */
    private static String lastPresentKey(BadSpec bad, Path file) throws IOException {
        JsonNode resource = YAML.readTree(file.toFile());
        List<String> parts = List.of(bad.field().replaceAll("\\[\\d+]", "").split("\\."));
        String key = parts.get(0);
        JsonNode node = resource;
        for (String part : parts) {
            node = node.isArray() ? node.get(0) : node;
            if (node == null || !node.has(part)) {
                break;
            }
            key = part;
            node = node.get(part);
        }
        return key + ":";
    }
}
