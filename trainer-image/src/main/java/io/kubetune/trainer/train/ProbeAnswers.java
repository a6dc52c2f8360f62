package io.kubetune.trainer.train;

import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.tokenizer.HfTokenizer;
import java.io.IOException;
import java.nio.file.Path;

/** Asks the held-out probe prompts "before" and "after" training and tells the listeners. */
final class ProbeAnswers {
    private final SampleGenerations generations;
    private final PretrainedModel model;
    private final HfTokenizer tokenizer;
    private final Path outputDir;
    private final TrainingListener listeners;

    ProbeAnswers(
            SampleGenerations generations,
            PretrainedModel model,
            HfTokenizer tokenizer,
            Path outputDir,
            TrainingListener listeners) {
        this.generations = generations;
        this.model = model;
        this.tokenizer = tokenizer;
        this.outputDir = outputDir;
        this.listeners = listeners;
    }

    void ask(String stage) throws IOException {
        listeners.onGenerations(stage, generations.generate(stage, model, tokenizer, outputDir));
    }
}
