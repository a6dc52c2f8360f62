package io.kubetune.trainer.train;

import io.kubetune.api.v1alpha1.DatasetSpec;
import io.kubetune.api.v1alpha1.FineTuneJobSpec;
import io.kubetune.api.v1alpha1.Stage;
import io.kubetune.trainer.batch.SampleTokenizer;
import io.kubetune.trainer.batch.TokenizedSample;
import io.kubetune.trainer.data.DatasetLoader;
import io.kubetune.trainer.data.Sample;
import io.kubetune.trainer.prompt.ChatTemplates;
import io.kubetune.trainer.tokenizer.HfTokenizer;
import io.kubetune.trainer.tokenizer.SpecialTokens;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * A job's datasets read, rendered, tokenized and split into training and validation samples, plus a
 * few held-out conversations to ask the model before and after training.
 */
public record TrainingData(
        List<TokenizedSample> train, List<TokenizedSample> validation, List<Sample.Chat> probes) {
    private static final int PROBES = 3;

    /** A sample and its tokens. */
    private record Prepared(Sample sample, TokenizedSample tokens) {}

    public static TrainingData prepare(
            FineTuneJobSpec spec, FineTuneRun.Inputs inputs, HfTokenizer tokenizer)
            throws IOException {
        List<Prepared> all = new ArrayList<>();
        for (int d = 0; d < spec.datasets.size(); d++) {
            all.addAll(read(spec, spec.datasets.get(d), inputs.dataFiles().get(d), tokenizer));
        }
        List<Prepared> train = all;
        List<Prepared> validation = List.of();
        if (spec.validation != null && spec.validation.uri != null) {
            DatasetSpec held = copyOf(spec.datasets.get(0));
            held.uri = spec.validation.uri;
            validation = read(spec, held, inputs.validationFile(), tokenizer);
        } else if (spec.validation != null) {
            // A seeded draw, so a resumed run holds out the same samples.
            List<Prepared> shuffled = new ArrayList<>(all);
            Collections.shuffle(shuffled, new Random(spec.training.seed));
            int count =
                    (int) Math.round(shuffled.size() * Double.parseDouble(spec.validation.ratio));
            validation = shuffled.subList(0, count);
            train = shuffled.subList(count, shuffled.size());
        }
        List<Sample.Chat> probes =
                (validation.isEmpty() ? all : validation)
                        .stream()
                                .map(Prepared::sample)
                                .filter(Sample.Chat.class::isInstance)
                                .map(Sample.Chat.class::cast)
                                .limit(PROBES)
                                .toList();
        return new TrainingData(tokensOf(train), tokensOf(validation), probes);
    }

    private static List<Prepared> read(
            FineTuneJobSpec spec, DatasetSpec dataset, Path file, HfTokenizer tokenizer)
            throws IOException {
        ChatTemplates.Choice template =
                ChatTemplates.choose(dataset.template, tokenizer.specialTokens());
        long eos = tokenizer.specialTokens().eos().map(SpecialTokens.Token::id).orElse(-1L);
        boolean everyToken = spec.training.trainOnPrompt || spec.stage == Stage.PT;
        SampleTokenizer sampleTokenizer =
                new SampleTokenizer(
                        tokenizer,
                        template.template(),
                        template.writesSpecialTokens(),
                        everyToken,
                        spec.training.cutoffLength,
                        eos);
        List<Prepared> out = new ArrayList<>();
        for (Sample sample : DatasetLoader.load(dataset, file).samples()) {
            TokenizedSample tokens = sampleTokenizer.tokenize(sample);
            // A sample cut down to its prompt has nothing left to learn from.
            if (tokens.length() > 1 && tokens.hasTrainableTokens()) {
                out.add(new Prepared(sample, tokens));
            }
        }
        return out;
    }

    private static DatasetSpec copyOf(DatasetSpec source) {
        DatasetSpec copy = new DatasetSpec();
        copy.format = source.format;
        copy.columns = source.columns;
        copy.template = source.template;
        return copy;
    }

    private static List<TokenizedSample> tokensOf(List<Prepared> prepared) {
        return prepared.stream().map(Prepared::tokens).toList();
    }
}
