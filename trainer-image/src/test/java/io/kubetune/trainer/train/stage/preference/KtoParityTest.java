package io.kubetune.trainer.train.stage.preference;

import ai.djl.nn.Parameter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kubetune.api.v1alpha1.DataFormat;
import io.kubetune.api.v1alpha1.DatasetSpec;
import io.kubetune.api.v1alpha1.PreferenceSpec;
import io.kubetune.api.v1alpha1.PromptTemplate;
import io.kubetune.trainer.batch.FeedbackCollator;
import io.kubetune.trainer.batch.FeedbackTokenizer;
import io.kubetune.trainer.batch.TokenizedFeedback;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.peft.Adapters;
import io.kubetune.trainer.tokenizer.HfTokenizer;
import io.kubetune.trainer.train.stage.ReferenceModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Five KTO steps match TRL 1.16's KTOTrainer (tools/reference/make_kto_fixtures.py), loss and every
 * metric TRL logs, under LoRA (reference: the base with the adapters off) and full fine-tuning
 * (reference: a frozen copy), on format kto data and on preference pairs unpaired. The batches come
 * from stage kto's own plan: blocks of 4 in the data's order, epoch after epoch.
 */
class KtoParityTest {
    static final Path DIR = Path.of("src/test/resources/fixtures/kto");
    private static final Set<String> METRICS =
            Set.of(
                    "kl",
                    "entropy",
                    "logits/chosen",
                    "logits/rejected",
                    "rewards/chosen",
                    "rewards/rejected",
                    "rewards/margins",
                    "logps/chosen",
                    "logps/rejected");

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"kto-lora", "kto-full", "kto-lora-pairs"})
    void fiveStepsFollowTheReference(String name) throws Exception {
        JsonNode reference = new ObjectMapper().readTree(DIR.resolve("reference.json").toFile());
        JsonNode run = reference.get("runs").get(name);
        PreferenceSpec spec =
                new ObjectMapper().treeToValue(run.get("preference"), PreferenceSpec.class);
        FeedbackPlan plan = plan(run, reference);
        try (PretrainedModel model = PreferenceFixtures.loadBase()) {
            Adapters[] adapters = new Adapters[1];
            Map<String, Parameter> trainable =
                    PreferenceFixtures.trainable(
                            model,
                            run,
                            DIR.resolve(name + "-initial-adapter"),
                            a -> {
                                adapters[0] = a;
                                return null;
                            });
            try (ReferenceModel ref =
                    adapters[0] != null
                            ? ReferenceModel.adaptersDisabled(model, adapters[0])
                            : ReferenceModel.frozenCopy(PreferenceFixtures.loadBase())) {
                PreferenceFixtures.assertFollows(
                        name,
                        run,
                        model,
                        new KtoObjective(KtoSettings.of(spec), ref),
                        trainable,
                        plan::microBatches,
                        METRICS);
            }
        }
    }

    /** Stage kto's plan over the run's data, as FeedbackData builds it. */
    static FeedbackPlan plan(JsonNode run, JsonNode reference) throws IOException {
        List<TokenizedFeedback> examples =
                examples(
                        run.get("data").asText(),
                        run.get("format").asText(),
                        reference.get("max_length").asInt());
        try (HfTokenizer tokenizer = HfTokenizer.load(PreferenceFixtures.LLAMA)) {
            return new FeedbackPlan(
                    examples,
                    new FeedbackCollator(
                            tokenizer.specialTokens().paddingId(),
                            reference.get("max_length").asInt()),
                    reference.get("batch_size").asInt(),
                    1,
                    42,
                    null,
                    reference.get("steps").asInt());
        }
    }

    /** A fixture dataset read and tokenized as stage kto does, template none. */
    static List<TokenizedFeedback> examples(String data, String format, int maxLength)
            throws IOException {
        DatasetSpec dataset = new DatasetSpec();
        dataset.format = DataFormat.valueOf(format.toUpperCase(Locale.ROOT));
        dataset.template = PromptTemplate.NONE;
        try (HfTokenizer tokenizer = HfTokenizer.load(PreferenceFixtures.LLAMA)) {
            FeedbackTokenizer feedback =
                    new FeedbackTokenizer(tokenizer, null, false, "<|end_of_text|>", maxLength);
            return FeedbackData.tokenize(
                    FeedbackData.read(dataset, DIR.resolve("..").resolve(data)), feedback);
        }
    }
}
