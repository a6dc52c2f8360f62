package io.kubetune.trainer.status;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonParser;
import io.kubetune.api.v1alpha1.EvalResult;
import io.kubetune.api.v1alpha1.TrainerResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TerminationMessageTest {
    private static final SecretRedactor NO_SECRETS = new SecretRedactor(Map.of());

    @Test
    void aLongErrorIsCutToFourKibibytesOfValidJson() {
        TrainerResult result = new TrainerResult();
        result.error = "é".repeat(10_000);
        result.steps = 7L;

        String json = TerminationMessage.toJson(result, NO_SECRETS);

        assertThat(json.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(4096);
        var parsed = JsonParser.parseString(json).getAsJsonObject();
        assertThat(parsed.get("steps").getAsLong()).isEqualTo(7);
        assertThat(parsed.get("error").getAsString()).startsWith("ééé");
    }

    @Test
    void tooManyEvalResultsAreDroppedFromTheEnd() {
        TrainerResult result = new TrainerResult();
        result.evalResults = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            EvalResult r = new EvalResult();
            r.task = "hellaswag";
            r.accNorm = 0.25;
            r.model = "/models/" + "m".repeat(60) + i;
            result.evalResults.add(r);
        }

        String json = TerminationMessage.toJson(result, NO_SECRETS);

        assertThat(json.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(4096);
        var results = JsonParser.parseString(json).getAsJsonObject().getAsJsonArray("evalResults");
        assertThat(results.size()).isBetween(10, 99);
        assertThat(results.get(0).getAsJsonObject().get("model").getAsString()).endsWith("m0");
    }

    @Test
    void theErrorIsOneLineWithSecretValuesMasked() {
        TrainerResult result = new TrainerResult();
        result.error = "could not read s3://b/k with key wJalrXUtnFEMI/K7MDENG\n  at line 2";

        String json =
                TerminationMessage.toJson(
                        result,
                        new SecretRedactor(
                                Map.of("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG")));

        assertThat(json)
                .doesNotContain("wJalrXUtnFEMI")
                .doesNotContain("\\n")
                .contains("with key **** at line 2");
    }

    @Test
    void thePathIsTheRunnersThenTheKubeletsDefaultElseNone() {
        assertThat(TerminationMessage.path(Map.of(TerminationMessage.PATH_ENV, "/tmp/msg")))
                .isEqualTo(Path.of("/tmp/msg"));
        // no /dev/termination-log on a workstation or in the build: nothing is written
        assertThat(TerminationMessage.path(Map.of())).isNull();
    }
}
