package io.kubetune.trainer.train.stage.preference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kubetune.api.v1alpha1.BatchingMode;
import io.kubetune.api.v1alpha1.DataFormat;
import io.kubetune.api.v1alpha1.DatasetSpec;
import io.kubetune.api.v1alpha1.FineTuneJobSpec;
import io.kubetune.api.v1alpha1.PreferenceSpec;
import io.kubetune.api.v1alpha1.PromptTemplate;
import io.kubetune.api.v1alpha1.Stage;
import io.kubetune.api.v1alpha1.TrainingSpec;
import io.kubetune.trainer.batch.Batch;
import io.kubetune.trainer.batch.FeedbackBatch;
import io.kubetune.trainer.batch.FeedbackCollator;
import io.kubetune.trainer.batch.FeedbackTokenizer;
import io.kubetune.trainer.batch.TokenizedFeedback;
import io.kubetune.trainer.batch.TokenizedSample;
import io.kubetune.trainer.data.Sample;
import io.kubetune.trainer.prompt.ChatTemplates;
import io.kubetune.trainer.tokenizer.HfTokenizer;
import io.kubetune.trainer.tokenizer.SpecialTokens;
import io.kubetune.trainer.train.stage.Stages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Stage kto's data as TRL 1.16's KTOTrainer prepares it (fixtures/kto/tokenization.json): format
 * kto read as it is and preference pairs unpaired (chosen answers first), the prompt and answer
 * ids, the KL rows' rotated answers, rows cut at max_length, ChatML conversations; and what it
 * refuses.
 */
class FeedbackDataTest {
    private static final Path FIXTURES = Path.of("src/test/resources/fixtures");
    private static final String EOS = "<|end_of_text|>";
    private static HfTokenizer tokenizer;
    private static JsonNode reference;

    @TempDir Path dir;

    @BeforeAll
    static void load() throws Exception {
        tokenizer = HfTokenizer.load(FIXTURES.resolve("models/llama"));
        reference = new ObjectMapper().readTree(FIXTURES.resolve("kto/tokenization.json").toFile());
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    static Stream<JsonNode> cases() throws Exception {
        load();
        List<JsonNode> out = new ArrayList<>();
        reference.get("cases").forEach(out::add);
        return out.stream();
    }

    @ParameterizedTest(name = "{index}: {0}")
    @MethodSource("cases")
    void rowsAndKlRowsAreTrls(JsonNode c, @TempDir Path tmp) throws Exception {
        boolean chat = c.get("case").asText().startsWith("chat");
        int maxLength = c.get("max_length").asInt();
        DatasetSpec dataset = new DatasetSpec();
        dataset.format = DataFormat.valueOf(c.get("format").asText().toUpperCase());
        dataset.template = chat ? PromptTemplate.MODEL : PromptTemplate.NONE;
        Path file;
        if (c.has("records")) {
            file = tmp.resolve("records.jsonl");
            StringBuilder lines = new StringBuilder();
            c.get("records").forEach(r -> lines.append(r.toString()).append('\n'));
            Files.writeString(file, lines);
        } else {
            file = FIXTURES.resolve(c.get("data").asText());
        }
        List<TokenizedFeedback> examples =
                FeedbackData.tokenize(
                        FeedbackData.read(dataset, file), feedbackTokenizer(chat, maxLength));
        JsonNode rows = c.get("rows");
        assertThat(examples).hasSize(rows.size());
        int batchSize = 4;
        List<FeedbackBatch> batches =
                new FeedbackCollator(4097, maxLength).collateInBatches(examples, batchSize);
        for (int i = 0; i < rows.size(); i++) {
            JsonNode row = rows.get(i);
            TokenizedFeedback e = examples.get(i);
            assertThat(e.prompt()).as("prompt %d", i).containsExactly(ints(row, "prompt_ids"));
            assertThat(e.completion())
                    .as("completion %d", i)
                    .containsExactly(ints(row, "completion_ids"));
            assertThat(e.desirable()).as("label %d", i).isEqualTo(row.get("label").asBoolean());
            FeedbackBatch batch = batches.get(i / batchSize);
            int[] prompt = ints(row, "prompt_ids");
            assertRow(batch.rows(), i % batchSize, prompt, ints(row, "completion_ids"), maxLength);
            assertRow(
                    batch.klRows(),
                    i % batchSize,
                    prompt,
                    ints(row, "KL_completion_ids"),
                    maxLength);
        }
    }

    @Test
    void classBalanceWarnsAsTrlWithTrlsRanges() {
        ClassBalance balance = new ClassBalance(5, 3);

        assertThat(balance.warning(new KtoSettings(0.1f, 1f, 1f)))
                .hasValueSatisfying(
                        w ->
                                assertThat(w)
                                        .contains("5 desirable and 3 undesirable")
                                        .contains("desirableWeight in [0.6, 0.8]")
                                        .contains("undesirableWeight in [1.25, 1.67]"));
        assertThat(balance.warning(new KtoSettings(0.1f, 1f, 1.5f))).isEmpty();
        assertThat(balance.warning(new KtoSettings(0.1f, 0.7f, 1f))).isEmpty();
        assertThat(new ClassBalance(4, 4).warning(new KtoSettings(0.1f, 3f, 1f))).isEmpty();
    }

    @Test
    void dataWithOneKindOfAnswerIsRefused() {
        assertThatThrownBy(() -> new ClassBalance(6, 0).check(new KtoSettings(0.1f, 1f, 1f)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("spec.datasets: the training data holds 6 desirable and 0")
                .hasMessageContaining("needs both");
    }

    @Test
    void aJobWithOnlyDesirableAnswersIsRefusedNamingTheCounts() throws Exception {
        Path data = dir.resolve("good.jsonl");
        Files.writeString(
                data,
                "{\"prompt\": \"Define sail:\", \"completion\": \" Canvas.\", \"label\": true}\n"
                        + "{\"prompt\": \"Define oar:\", \"completion\": \" A pole.\", \"label\":"
                        + " true}\n");
        FineTuneJobSpec spec = spec(DataFormat.KTO);

        assertThatThrownBy(
                        () ->
                                FeedbackData.prepare(
                                        spec,
                                        new io.kubetune.trainer.train.FineTuneRun.Inputs(
                                                FIXTURES.resolve("models/llama"),
                                                List.of(data),
                                                null),
                                        tokenizer))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2 desirable and 0 undesirable");
    }

    @Test
    void otherFormatsSmallBatchesAndPackedRowsAreRefusedBeforeAnyDownload() {
        assertThatThrownBy(() -> Stages.validate(spec(DataFormat.ALPACA)))
                .hasMessageStartingWith("spec.datasets[0].format: alpaca is not judged answers");
        FineTuneJobSpec one = spec(DataFormat.KTO);
        one.training.batchSize = 1;
        assertThatThrownBy(() -> Stages.validate(one))
                .hasMessageStartingWith("spec.training.batchSize: 1;");
        FineTuneJobSpec packed = spec(DataFormat.PREFERENCE);
        packed.training.batching = BatchingMode.PACKED;
        assertThatThrownBy(() -> Stages.validate(packed))
                .hasMessageStartingWith("spec.training.batching: packed;");
        Stages.validate(spec(DataFormat.PREFERENCE));
    }

    @Test
    void ktoDataIsRefusedUnderDpo() {
        FineTuneJobSpec dpo = spec(DataFormat.KTO);
        dpo.stage = Stage.DPO;
        assertThatThrownBy(() -> Stages.validate(dpo))
                .hasMessageStartingWith("spec.datasets[0].format: kto is not pairs");
    }

    @Test
    void unpairedPairsGiveChosenAnswersThenRejectedOnes() throws Exception {
        DatasetSpec dataset = new DatasetSpec();
        dataset.format = DataFormat.PREFERENCE;
        dataset.template = PromptTemplate.NONE;
        List<Sample.Feedback> read =
                FeedbackData.read(dataset, FIXTURES.resolve("preference/pairs.jsonl"));

        assertThat(read)
                .extracting(Sample.Feedback::desirable)
                .containsExactly(true, true, true, true, false, false, false, false);
        assertThat(read.get(4).completion().get(0).text())
                .isEqualTo(" A large striped cat of Asia.");
    }

    private static FineTuneJobSpec spec(DataFormat format) {
        FineTuneJobSpec spec = new FineTuneJobSpec();
        spec.stage = Stage.KTO;
        DatasetSpec dataset = new DatasetSpec();
        dataset.format = format;
        dataset.template = PromptTemplate.NONE;
        spec.datasets = List.of(dataset);
        spec.training = new TrainingSpec();
        spec.training.batchSize = 4;
        spec.training.maxSteps = 1;
        spec.training.cutoffLength = 64;
        spec.training.batching = BatchingMode.PADDING;
        spec.preference = new PreferenceSpec();
        return spec;
    }

    private static void assertRow(
            Batch batch, int r, int[] prompt, int[] completion, int maxLength) {
        int[] full = IntStream.concat(IntStream.of(prompt), IntStream.of(completion)).toArray();
        int[] kept = Arrays.copyOf(full, Math.min(full.length, maxLength));
        assertThat(Arrays.copyOf(batch.ids()[r], kept.length)).containsExactly(kept);
        int[] labels = batch.labels()[r];
        for (int t = 0; t < labels.length; t++) {
            boolean answer = t >= prompt.length && t < kept.length;
            assertThat(labels[t] != TokenizedSample.IGNORE)
                    .as("token %d labelled", t)
                    .isEqualTo(answer);
        }
    }

    private static FeedbackTokenizer feedbackTokenizer(boolean chat, int cutoff) {
        if (!chat) {
            return new FeedbackTokenizer(tokenizer, null, false, EOS, cutoff);
        }
        SpecialTokens own = tokenizer.specialTokens();
        SpecialTokens withTemplate =
                new SpecialTokens(
                        own.bos(),
                        own.eos(),
                        own.pad(),
                        Optional.of(reference.get("chat_template").asText()));
        ChatTemplates.Choice choice = ChatTemplates.choose(PromptTemplate.MODEL, withTemplate);
        return new FeedbackTokenizer(
                tokenizer, choice.template(), choice.writesSpecialTokens(), EOS, cutoff);
    }

    private static int[] ints(JsonNode row, String key) {
        int[] out = new int[row.get(key).size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = row.get(key).get(i).asInt();
        }
        return out;
    }
}
