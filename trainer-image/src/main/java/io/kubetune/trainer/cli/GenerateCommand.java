package io.kubetune.trainer.cli;

import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.tokenizer.HfTokenizer;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code kubetune generate}: answers a prompt with a model, optionally with a PEFT adapter. */
@Command(
        name = "generate",
        mixinStandardHelpOptions = true,
        description =
                "Generates an answer to a prompt with a Hugging Face model folder and an optional"
                        + " PEFT adapter (LoRA, DoRA, prompt, prefix or P-tuning), prompted as the adapter was trained; stops at the"
                        + " model's end of sequence.")
public final class GenerateCommand implements Callable<Integer> {
    @Mixin ModelOptions models;

    @Mixin GenerationOptions generation;

    @Parameters(paramLabel = "PROMPT", description = "The user's message.")
    String prompt;

    @Override
    public Integer call() throws Exception {
        try (PretrainedModel loaded = models.load();
                HfTokenizer tokenizer = HfTokenizer.load(models.model)) {
            System.out.println(
                    generation.session(loaded, tokenizer, models, System.err).reply(prompt));
        }
        return 0;
    }
}
