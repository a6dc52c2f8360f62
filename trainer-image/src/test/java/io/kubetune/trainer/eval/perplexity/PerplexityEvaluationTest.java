package io.kubetune.trainer.eval.perplexity;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubetune.api.v1alpha1.DataFormat;
import io.kubetune.api.v1alpha1.DatasetSpec;
import io.kubetune.api.v1alpha1.EvalResult;
import io.kubetune.trainer.model.Precision;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.tokenizer.HfTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Perplexity over texts equals exp of transformers' token-weighted mean loss on them. */
class PerplexityEvaluationTest {
    private static final Path LLAMA = Path.of("src/test/resources/fixtures/models/llama");

    @TempDir Path dir;

    @Test
    void matchesTheReferenceLosses() throws Exception {
        JsonNode cases =
                new ObjectMapper()
                        .readTree(LLAMA.resolve("reference/reference.json").toFile())
                        .get("cases");
        StringBuilder lines = new StringBuilder();
        double weightedLoss = 0;
        long predicted = 0;
        for (JsonNode c : cases) {
            ObjectNode line =
                    new ObjectMapper().createObjectNode().put("text", c.get("prompt").asText());
            lines.append(line).append('\n');
            long n = c.get("input_ids").size() - 1;
            weightedLoss += c.get("loss").asDouble() * n;
            predicted += n;
        }
        Path file = Files.writeString(dir.resolve("texts.jsonl"), lines);
        DatasetSpec dataset = new DatasetSpec();
        dataset.uri = file.toString();
        dataset.format = DataFormat.TEXT;

        try (PretrainedModel model = PretrainedModel.load(LLAMA, Device.cpu(), Precision.FP32);
                HfTokenizer tokenizer = HfTokenizer.load(LLAMA)) {
            EvalResult result =
                    PerplexityEvaluation.run(model, tokenizer, dataset, file, null, 2, 1024);

            assertThat(result.n).isEqualTo(cases.size());
            assertThat(result.perplexity)
                    .isCloseTo(
                            Math.exp(weightedLoss / predicted),
                            org.assertj.core.api.Assertions.withinPercentage(0.001));
        }
    }
}
