package io.kubetune.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kubetune.api.v1alpha1.ColumnMapping;
import io.kubetune.api.v1alpha1.DataFormat;
import io.kubetune.api.v1alpha1.DatasetSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetLoaderTest {
    @TempDir Path dir;

    @Test
    void alpacaJsonLinesBecomeConversationsAndBadLinesAreReportedByNumber() throws IOException {
        Path file =
                write(
                        "train.jsonl",
                        """
                        {"instruction": "Define harbor.", "input": "", "output": "A sheltered port."}
                        {"instruction": "Translate", "input": "bonjour", "output": "hello"}
                        {"instruction": "No answer here"}
                        not json at all
                        {"instruction": "Define lantern.", "output": "A portable light."}
                        """);
        DatasetLoader.Loaded loaded = DatasetLoader.load(spec(DataFormat.ALPACA, null), file);

        assertThat(loaded.samples()).hasSize(3);
        Sample.Chat second = (Sample.Chat) loaded.samples().get(1);
        assertThat(second.turns())
                .containsExactly(
                        new Turn(Role.USER, "Translate", "bonjour"),
                        new Turn(Role.ASSISTANT, "hello"));
        assertThat(loaded.problems())
                .extracting(DataProblem::line)
                .containsExactlyInAnyOrder(3L, 4L);
        assertThat(loaded.problems())
                .anySatisfy(p -> assertThat(p.message()).contains("\"output\""));
    }

    @Test
    void mostlyMalformedFileFailsBeforeTrainingWithTheFirstProblems() throws IOException {
        Path file =
                write(
                        "bad.jsonl",
                        "{\"prompt\": \"a\"}\n{\"prompt\": \"b\"}\n{\"instruction\": \"c\", \"output\": \"d\"}\n");
        assertThatThrownBy(() -> DatasetLoader.load(spec(DataFormat.ALPACA, null), file))
                .hasMessageContaining("2 of 3 records")
                .hasMessageContaining("bad.jsonl:1: missing column \"instruction\"")
                .hasMessageContaining("column mapping");
    }

    @Test
    void shareGptAndMessagesAndDollyAndText() throws IOException {
        Path sharegpt =
                write(
                        "s.json",
                        "[{\"conversations\": [{\"from\": \"system\", \"value\": \"Be brief.\"}, {\"from\": \"human\", \"value\": \"Hi\"}, {\"from\": \"gpt\", \"value\": \"Hello\"}]}]");
        assertThat(
                        ((Sample.Chat)
                                        DatasetLoader.load(
                                                        spec(DataFormat.SHAREGPT, null), sharegpt)
                                                .samples()
                                                .get(0))
                                .turns())
                .extracting(Turn::role)
                .containsExactly(Role.SYSTEM, Role.USER, Role.ASSISTANT);

        Path messages =
                write(
                        "m.jsonl",
                        "{\"messages\": [{\"role\": \"user\", \"content\": \"2+2?\"}, {\"role\": \"assistant\", \"content\": \"4\"}]}\n");
        assertThat(
                        ((Sample.Chat)
                                        DatasetLoader.load(
                                                        spec(DataFormat.MESSAGES, null), messages)
                                                .samples()
                                                .get(0))
                                .turns())
                .containsExactly(new Turn(Role.USER, "2+2?"), new Turn(Role.ASSISTANT, "4"));

        Path dolly =
                write(
                        "d.jsonl",
                        "{\"instruction\": \"Summarize\", \"context\": \"Long text.\", \"response\": \"Short.\", \"category\": \"summarization\"}\n");
        assertThat(
                        ((Sample.Chat)
                                        DatasetLoader.load(spec(DataFormat.DOLLY, null), dolly)
                                                .samples()
                                                .get(0))
                                .turns()
                                .get(0)
                                .input())
                .isEqualTo("Long text.");

        Path text = write("t.csv", "text,source\n\"Call me Ishmael.\",moby\n");
        assertThat(DatasetLoader.load(spec(DataFormat.TEXT, null), text).samples())
                .containsExactly(new Sample.Text("Call me Ishmael."));
    }

    @Test
    void columnMappingRenamesColumns() throws IOException {
        ColumnMapping columns = new ColumnMapping();
        columns.instruction = "question";
        columns.output = "answer";
        Path file =
                write(
                        "qa.jsonl",
                        "{\"question\": \"Capital of France?\", \"answer\": \"Paris\"}\n");
        Sample.Chat chat =
                (Sample.Chat)
                        DatasetLoader.load(spec(DataFormat.ALPACA, columns), file).samples().get(0);
        assertThat(chat.turns())
                .containsExactly(
                        new Turn(Role.USER, "Capital of France?", null),
                        new Turn(Role.ASSISTANT, "Paris"));
    }

    @Test
    void conversationsMustAlternateAndEndWithTheAssistant() throws IOException {
        Path file =
                write(
                        "m.jsonl",
                        """
                        {"messages": [{"role": "user", "content": "a"}, {"role": "user", "content": "b"}]}
                        {"messages": [{"role": "user", "content": "a"}, {"role": "wizard", "content": "b"}]}
                        {"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]}
                        {"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]}
                        {"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]}
                        """);
        List<DataProblem> problems =
                DatasetLoader.load(spec(DataFormat.MESSAGES, null), file).problems();
        assertThat(problems)
                .extracting(DataProblem::message)
                .anySatisfy(m -> assertThat(m).contains("expected assistant"));
        assertThat(problems)
                .extracting(DataProblem::message)
                .anySatisfy(m -> assertThat(m).contains("unknown role \"wizard\""));
    }

    @Test
    void parquetFilesAsPyarrowWritesThem() throws IOException {
        List<Sample> alpaca =
                DatasetLoader.load(
                                spec(DataFormat.ALPACA, null),
                                Path.of("src/test/resources/data/alpaca.parquet"))
                        .samples();
        assertThat(alpaca).hasSize(3);
        assertThat(((Sample.Chat) alpaca.get(1)).turns().get(0))
                .isEqualTo(new Turn(Role.USER, "Translate to English.", "bonjour"));
        assertThat(((Sample.Chat) alpaca.get(2)).turns().get(0).content())
                .isEqualTo("Name a color — ✓ in Unicode.");

        List<Sample> messages =
                DatasetLoader.load(
                                spec(DataFormat.MESSAGES, null),
                                Path.of("src/test/resources/data/messages.parquet"))
                        .samples();
        assertThat(((Sample.Chat) messages.get(0)).turns())
                .containsExactly(new Turn(Role.USER, "2+2?"), new Turn(Role.ASSISTANT, "4"));
    }

    private static DatasetSpec spec(DataFormat format, ColumnMapping columns) {
        DatasetSpec spec = new DatasetSpec();
        spec.uri = "/data";
        spec.format = format;
        spec.columns = columns;
        return spec;
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }
}
