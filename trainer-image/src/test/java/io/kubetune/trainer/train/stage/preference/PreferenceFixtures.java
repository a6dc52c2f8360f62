package io.kubetune.trainer.train.stage.preference;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kubetune.api.v1alpha1.DataFormat;
import io.kubetune.api.v1alpha1.DatasetSpec;
import io.kubetune.api.v1alpha1.MethodSpec;
import io.kubetune.api.v1alpha1.MethodType;
import io.kubetune.api.v1alpha1.PromptTemplate;
import io.kubetune.api.v1alpha1.Scheduler;
import io.kubetune.trainer.batch.PairBatch;
import io.kubetune.trainer.batch.PairCollator;
import io.kubetune.trainer.batch.PairTokenizer;
import io.kubetune.trainer.batch.TokenizedPair;
import io.kubetune.trainer.data.DatasetLoader;
import io.kubetune.trainer.data.Sample;
import io.kubetune.trainer.model.Precision;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.optim.AdamW;
import io.kubetune.trainer.optim.LearningRateSchedule;
import io.kubetune.trainer.peft.Adapters;
import io.kubetune.trainer.peft.LoraMethod;
import io.kubetune.trainer.tokenizer.HfTokenizer;
import io.kubetune.trainer.train.StepResult;
import io.kubetune.trainer.train.TrainableWeights;
import io.kubetune.trainer.train.TrainingLoop;
import io.kubetune.trainer.train.stage.Objective;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * fixtures/preference: the runs TRL (and LLaMA-Factory's formulas) made with
 * tools/reference/make_preference_fixtures.py, and the checks every stage's parity test applies.
 */
final class PreferenceFixtures {
    static final Path DIR = Path.of("src/test/resources/fixtures/preference");
    static final Path LLAMA = Path.of("src/test/resources/fixtures/models/llama");
    static final JsonNode REFERENCE = read();

    private PreferenceFixtures() {}

    static JsonNode run(String name) {
        return REFERENCE.get("runs").get(name);
    }

    /** All four pairs in one batch, as TRL's batch held the whole dataset. */
    static PairBatch wholeDataset(PairTokenizer.Overflow overflow) throws IOException {
        DatasetSpec dataset = new DatasetSpec();
        dataset.format = DataFormat.PREFERENCE;
        dataset.template = PromptTemplate.NONE;
        try (HfTokenizer tokenizer = HfTokenizer.load(LLAMA)) {
            PairTokenizer pairs =
                    new PairTokenizer(
                            tokenizer,
                            null,
                            false,
                            "<|end_of_text|>",
                            REFERENCE.get("max_length").asInt(),
                            overflow);
            List<TokenizedPair> tokenized = new ArrayList<>();
            for (Sample s : DatasetLoader.load(dataset, DIR.resolve("pairs.jsonl")).samples()) {
                tokenized.add(pairs.tokenize((Sample.Preference) s).orElseThrow());
            }
            return new PairCollator(tokenizer.specialTokens().paddingId()).collate(tokenized);
        }
    }

    /** The weights a run trains: the saved initial adapter under LoRA, every weight otherwise. */
    static Map<String, Parameter> trainable(
            PretrainedModel model, String run, Function<Adapters, Void> onAdapters)
            throws IOException {
        return trainable(model, run(run), DIR.resolve(run + "-initial-adapter"), onAdapters);
    }

    /**
     * @param run a run of a reference.json
     * @param initialAdapter where the run's initial LoRA adapter was saved
     */
    static Map<String, Parameter> trainable(
            PretrainedModel model,
            JsonNode run,
            Path initialAdapter,
            Function<Adapters, Void> onAdapters)
            throws IOException {
        if (run.get("method").asText().equals("lora")) {
            Adapters adapters =
                    new LoraMethod()
                            .read(initialAdapter, model.block(), DataType.FLOAT32, model.manager());
            onAdapters.apply(adapters);
            return adapters.trainable();
        }
        MethodSpec full = new MethodSpec();
        full.type = MethodType.FULL;
        return TrainableWeights.of(full, model.block(), List.of());
    }

    static PretrainedModel loadBase() throws IOException {
        return PretrainedModel.load(LLAMA, Device.cpu(), Precision.FP32);
    }

    /** Five steps on the whole dataset; each step's loss and metrics against the reference's. */
    static <B> void assertFollows(
            String run,
            PretrainedModel model,
            Objective<B> objective,
            Map<String, Parameter> trainable,
            B batch,
            Set<String> metrics) {
        assertFollows(run, run(run), model, objective, trainable, step -> List.of(batch), metrics);
    }

    /**
     * Each step's loss and metrics against the reference's; a metric the reference did not log at a
     * step (TRL logs a side's metrics only when the batch holds that side) must be absent too.
     *
     * @param batches the micro-batches of each (0-based) step
     */
    static <B> void assertFollows(
            String name,
            JsonNode run,
            PretrainedModel model,
            Objective<B> objective,
            Map<String, Parameter> trainable,
            java.util.function.LongFunction<List<B>> batches,
            Set<String> metrics) {
        JsonNode steps = run.get("steps");
        double lr = run.get("learningRate").asDouble();
        try (AdamW adamW = AdamW.withDefaults(trainable, 0.0, model.manager())) {
            TrainingLoop<B> loop =
                    new TrainingLoop<>(
                            model,
                            objective,
                            trainable,
                            adamW,
                            new LearningRateSchedule(Scheduler.CONSTANT, lr, 0, steps.size()),
                            REFERENCE.get("max_grad_norm").asDouble(),
                            0);
            for (int i = 0; i < steps.size(); i++) {
                StepResult result = loop.step(batches.apply(i));
                JsonNode expected = steps.get(i);
                check(name, i, "loss", result.loss(), expected.get("loss").asDouble());
                for (String metric : metrics) {
                    if (!expected.has(metric)) {
                        assertThat(result.metrics())
                                .as("%s step %d logs no %s", name, i + 1, metric)
                                .doesNotContainKey(metric);
                        continue;
                    }
                    check(
                            name,
                            i,
                            metric,
                            result.metrics().get(metric),
                            expected.get(metric).asDouble());
                }
            }
        }
    }

    /** 1e-5 at the first step, 1e-3 relative after (absolute near zero). */
    private static void check(String run, int step, String name, Double actual, double expected) {
        assertThat(actual).as("%s step %d %s", run, step + 1, name).isNotNull();
        double tolerance =
                step == 0
                        ? 1e-5 * Math.max(1, Math.abs(expected))
                        : 1e-3 * Math.abs(expected) + 1e-5;
        assertThat(Math.abs(actual - expected))
                .as("%s step %d %s: ours %s, reference %s", run, step + 1, name, actual, expected)
                .isLessThanOrEqualTo(tolerance);
    }

    private static JsonNode read() {
        try {
            return new ObjectMapper().readTree(DIR.resolve("reference.json").toFile());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
