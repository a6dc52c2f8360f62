package io.kubetune.trainer.cli;

import io.kubetune.api.v1alpha1.PromptTemplate;
import io.kubetune.trainer.data.Role;
import io.kubetune.trainer.data.Turn;
import io.kubetune.trainer.generate.GenerationConfig;
import io.kubetune.trainer.generate.Generator;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.prompt.ChatTemplates;
import io.kubetune.trainer.tokenizer.HfTokenizer;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kubetune generate}: answers a prompt with a model, optionally with a LoRA adapter. */
@Command(
        name = "generate",
        mixinStandardHelpOptions = true,
        description =
                "Generates an answer to a prompt with a Hugging Face model folder and an optional PEFT LoRA adapter.")
public final class GenerateCommand implements Callable<Integer> {
    @Mixin ModelOptions models;

    @Parameters(paramLabel = "PROMPT", description = "The user's message.")
    String prompt;

    @Option(
            names = "--template",
            defaultValue = "model",
            description =
                    "model, alpaca, vicuna, chatml or none (raw text) (default ${DEFAULT-VALUE}).")
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

    @Override
    public Integer call() throws Exception {
        try (PretrainedModel loaded = models.load();
                HfTokenizer tokenizer = HfTokenizer.load(models.model)) {
            long[] ids;
            if (template.equals("none")) {
                ids = tokenizer.encode(prompt, true);
            } else {
                ChatTemplates.Choice choice =
                        ChatTemplates.choose(
                                PromptTemplate.valueOf(template.toUpperCase(Locale.ROOT)),
                                tokenizer.specialTokens());
                ids =
                        tokenizer.encode(
                                choice.template()
                                        .render(List.of(new Turn(Role.USER, prompt)), true),
                                !choice.writesSpecialTokens());
            }
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
            System.out.println(
                    new Generator(loaded, tokenizer).generate(ids, config.build()).text().strip());
        }
        return 0;
    }
}
