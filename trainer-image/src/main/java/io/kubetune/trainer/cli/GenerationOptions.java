package io.kubetune.trainer.cli;

import io.kubetune.api.v1alpha1.PromptTemplate;
import io.kubetune.trainer.UserInputException;
import io.kubetune.trainer.generate.ChatSession;
import io.kubetune.trainer.generate.GenerationConfig;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.prompt.AdapterTemplate;
import io.kubetune.trainer.prompt.ChatTemplates;
import io.kubetune.trainer.tokenizer.HfTokenizer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The template and sampling settings of {@code generate} and {@code chat}. */
final class GenerationOptions {
    @Option(
            names = "--template",
            description =
                    "model, alpaca, vicuna, chatml or none (raw text). Default: the template the"
                            + " adapter was trained with (its "
                            + AdapterTemplate.FILE
                            + "), else model.")
    String template;

    @Option(
            names = "--max-new-tokens",
            defaultValue = "64",
            description = "(default ${DEFAULT-VALUE})")
    int maxNewTokens;

    @Option(
            names = "--temperature",
            defaultValue = "0",
            description = "0 for greedy (default ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--top-k", defaultValue = "0", description = "(default ${DEFAULT-VALUE}: off)")
    int topK;

    @Option(
            names = "--top-p",
            defaultValue = "1.0",
            description = "(default ${DEFAULT-VALUE}: off)")
    double topP;

    @Option(
            names = "--repetition-penalty",
            defaultValue = "1.0",
            description = "(default ${DEFAULT-VALUE}: off)")
    double repetitionPenalty;

    @Option(names = "--seed", defaultValue = "42", description = "(default ${DEFAULT-VALUE})")
    long seed;

    /** A conversation with the loaded model, prompted as its adapter was trained. */
    ChatSession session(
            PretrainedModel model, HfTokenizer tokenizer, ModelOptions models, PrintStream warnings)
            throws IOException {
        Optional<PromptTemplate> chosen = chosenTemplate(models.adapter, warnings);
        ChatTemplates.Choice choice =
                chosen.map(t -> ChatTemplates.choose(t, tokenizer.specialTokens())).orElse(null);
        return new ChatSession(model, tokenizer, choice, sampling(), models.model);
    }

    /** --template, else the adapter's saved one, else model; empty for none (raw text). */
    private Optional<PromptTemplate> chosenTemplate(Path adapter, PrintStream warnings)
            throws IOException {
        if (template != null) {
            return template.equalsIgnoreCase("none") ? Optional.empty() : Optional.of(parse());
        }
        Optional<PromptTemplate> saved =
                adapter == null ? Optional.empty() : AdapterTemplate.read(adapter);
        if (adapter != null && saved.isEmpty()) {
            warnings.println(
                    "warning: "
                            + adapter
                            + " has no "
                            + AdapterTemplate.FILE
                            + ", so the template it was trained with is unknown: using the"
                            + " model's; pass --template if it was trained with another");
        }
        return Optional.of(saved.orElse(PromptTemplate.MODEL));
    }

    private PromptTemplate parse() {
        try {
            return PromptTemplate.valueOf(template.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new UserInputException(
                    "--template is '" + template + "': use model, alpaca, vicuna, chatml or none");
        }
    }

    private GenerationConfig.Builder sampling() {
        GenerationConfig.Builder config =
                GenerationConfig.builder()
                        .optMaxNewTokens(maxNewTokens)
                        .optSeed(seed)
                        .optRepetitionPenalty(repetitionPenalty);
        if (temperature > 0) {
            config.optDoSample(true).optTemperature(temperature).optTopK(topK).optTopP(topP);
        } else {
            config.optDoSample(false);
        }
        return config;
    }
}
