package io.kubetune.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kubetune.api.v1alpha1.AdapterSource;
import io.kubetune.api.v1alpha1.DatasetSpec;
import io.kubetune.api.v1alpha1.FineTuneJobRef;
import io.kubetune.api.v1alpha1.FineTuneJobSpec;
import io.kubetune.api.v1alpha1.ModelSource;
import io.kubetune.trainer.UserInputException;
import io.kubetune.trainer.train.FineTuneRun;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The base model an adapter names is the model as the user named it, never a relative path. */
class JobInputsTest {
    private static final Path JOB_DIR = Path.of("/jobs/team");

    @Test
    void aRemoteModelIsNamedByItsUriAndALocalOneByItsAbsolutePath() throws IOException {
        assertThat(inputs("hf://Qwen/Qwen2.5-0.5B", null).modelName())
                .isEqualTo("hf://Qwen/Qwen2.5-0.5B");
        assertThat(inputs("../models/llama", null).modelName()).isEqualTo("/jobs/models/llama");
        assertThat(inputs("hf://Qwen/Qwen2.5-0.5B", Path.of("/data/my-model")).modelName())
                .isEqualTo("/data/my-model");
    }

    @Test
    void anUnresolvedFineTuneJobRefIsRefusedBeforeAnyDownload() {
        FineTuneJobSpec spec = new FineTuneJobSpec();
        spec.model = new ModelSource();
        spec.model.fineTuneJobRef = new FineTuneJobRef();
        spec.model.fineTuneJobRef.name = "sft";

        assertThatThrownBy(
                        () ->
                                JobInputs.resolve(
                                        spec,
                                        (uri, field) -> {
                                            throw new AssertionError("downloaded " + uri);
                                        },
                                        null,
                                        null))
                .isInstanceOf(UserInputException.class)
                .hasMessageStartingWith(
                        "spec.model.fineTuneJobRef sft has no spec.model.uri: the operator writes");
    }

    @Test
    void aPromptLearningAdapterToStartFromIsRefusedBeforeTheModelIsDownloaded() {
        FineTuneJobSpec spec = new FineTuneJobSpec();
        spec.model = new ModelSource();
        spec.model.uri = "hf://org/base";
        spec.model.adapter = new AdapterSource();
        spec.model.adapter.uri = "s3://runs/prompt/adapter";
        Path prompt =
                Path.of(
                        "src/test/resources/fixtures/peft/prompt-learning/prompt-tuning-peft-written");

        assertThatThrownBy(
                        () ->
                                JobInputs.resolve(
                                        spec,
                                        (uri, field) -> {
                                            if (field.equals("spec.model.adapter.uri")) {
                                                return prompt;
                                            }
                                            throw new AssertionError("downloaded " + uri);
                                        },
                                        null,
                                        null))
                .isInstanceOf(UserInputException.class)
                .hasMessageStartingWith("spec.model.adapter.uri: ")
                .hasMessageContaining("PROMPT_TUNING adapter, which cannot be merged");
    }

    @Test
    void theAdapterToStartFromTravelsWithTheInputs() throws IOException {
        FineTuneJobSpec spec = new FineTuneJobSpec();
        spec.model = new ModelSource();
        spec.model.uri = "hf://org/base";
        spec.model.adapter = new AdapterSource();
        spec.model.adapter.uri = "s3://runs/sft/adapter";
        DatasetSpec data = new DatasetSpec();
        data.uri = "train.jsonl";
        spec.datasets = List.of(data);
        Path lora = Path.of("src/test/resources/fixtures/peft/peft-written");

        FineTuneRun.Inputs inputs =
                JobInputs.resolve(
                        spec,
                        (uri, field) ->
                                field.equals("spec.model.adapter.uri")
                                        ? lora
                                        : JOB_DIR.resolve("x"),
                        null,
                        null);

        assertThat(inputs.adapterDir()).isEqualTo(lora);
        assertThat(inputs.modelName()).as("adapters name the base").isEqualTo("hf://org/base");
    }

    private static FineTuneRun.Inputs inputs(String modelUri, Path modelOverride)
            throws IOException {
        FineTuneJobSpec spec = new FineTuneJobSpec();
        spec.model = new ModelSource();
        spec.model.uri = modelUri;
        DatasetSpec data = new DatasetSpec();
        data.uri = "train.jsonl";
        spec.datasets = List.of(data);
        // Resolves as the real resolver does for paths: against the job file's folder.
        return JobInputs.resolve(
                spec,
                (uri, field) ->
                        uri.contains("://") ? Path.of("/cache/download") : JOB_DIR.resolve(uri),
                modelOverride,
                null);
    }
}
