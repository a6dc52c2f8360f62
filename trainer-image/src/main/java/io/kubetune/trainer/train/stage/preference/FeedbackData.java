package io.kubetune.trainer.train.stage.preference;

import io.kubetune.api.v1alpha1.DataFormat;
import io.kubetune.api.v1alpha1.DatasetSpec;
import io.kubetune.api.v1alpha1.FineTuneJobSpec;
import io.kubetune.api.v1alpha1.TrainingSpec;
import io.kubetune.trainer.batch.FeedbackBatch;
import io.kubetune.trainer.batch.FeedbackCollator;
import io.kubetune.trainer.batch.FeedbackTokenizer;
import io.kubetune.trainer.batch.TokenizedFeedback;
import io.kubetune.trainer.data.DatasetLoader;
import io.kubetune.trainer.data.Sample;
import io.kubetune.trainer.data.Unpaired;
import io.kubetune.trainer.tokenizer.HfTokenizer;
import io.kubetune.trainer.train.FineTuneRun;
import io.kubetune.trainer.train.stage.StageData;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * A kto job's datasets as tokenized judged answers, in the data's order (format kto as it is,
 * format preference split as TRL unpairs it): training plan, held-out batches, probes.
 */
final class FeedbackData {
    private static final System.Logger LOG = System.getLogger(FeedbackData.class.getName());
    private static final TokenizedDatasets.LeftOut LEFT_OUT =
            new TokenizedDatasets.LeftOut(
                    LOG,
                    "examples have a prompt that fills training.cutoffLength and were left out");

    private FeedbackData() {}

    /** Refuses what stage kto cannot read, before anything is downloaded. */
    static void validate(FineTuneJobSpec spec) {
        DatasetChecks.paddedRows(spec, "stage kto keeps each example");
        Integer batchSize = spec.training == null ? null : spec.training.batchSize;
        if (batchSize != null && batchSize < 2) {
            throw new IllegalArgumentException(
                    "spec.training.batchSize: "
                            + batchSize
                            + "; stage kto estimates its KL term from the other answers of each"
                            + " batch, set 2 or more");
        }
        DatasetChecks.formats(
                spec,
                Set.of(DataFormat.KTO, DataFormat.PREFERENCE),
                "judged answers; stage kto reads format kto ({prompt, completion, label}) or"
                        + " preference ({prompt, chosen, rejected})");
    }

    static StageData<FeedbackBatch> prepare(
            FineTuneJobSpec spec, FineTuneRun.Inputs inputs, HfTokenizer tokenizer)
            throws IOException {
        TokenizedDatasets<Sample.Feedback, TokenizedFeedback> data =
                TokenizedDatasets.load(
                        spec,
                        inputs,
                        FeedbackData::read,
                        dataset -> feedbackTokenizer(spec, dataset, tokenizer)::tokenize,
                        FeedbackData::heldOut,
                        LEFT_OUT);
        List<TokenizedFeedback> train = data.train();
        List<TokenizedFeedback> validation = data.validation();
        ClassBalance.of(train).check(KtoSettings.of(spec.preference));
        TrainingSpec t = spec.training;
        FeedbackCollator collator =
                new FeedbackCollator(tokenizer.specialTokens().paddingId(), t.cutoffLength);
        FeedbackPlan plan =
                new FeedbackPlan(
                        train,
                        collator,
                        t.batchSize,
                        t.gradientAccumulationSteps,
                        t.seed,
                        t.epochs,
                        t.maxSteps);
        return new StageData<>(
                plan,
                collator.collateInBatches(validation, t.batchSize),
                Probes.of(
                        data.read(),
                        Sample.Feedback::desirable,
                        Sample.Feedback::prompt,
                        Sample.Feedback::completion));
    }

    /**
     * A seeded draw of {@code ratio} of the examples (so a resumed run holds out the same ones);
     * both parts keep the data's order, which the KL rows depend on.
     *
     * @return the held-out examples, then the rest
     */
    private static List<List<TokenizedFeedback>> heldOut(
            List<TokenizedFeedback> examples, double ratio, long seed) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < examples.size(); i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(seed));
        int count = (int) Math.round(examples.size() * ratio);
        boolean[] held = new boolean[examples.size()];
        order.subList(0, count).forEach(i -> held[i] = true);
        List<TokenizedFeedback> out = new ArrayList<>();
        List<TokenizedFeedback> kept = new ArrayList<>();
        for (int i = 0; i < examples.size(); i++) {
            (held[i] ? out : kept).add(examples.get(i));
        }
        return List.of(out, kept);
    }

    /** The dataset's examples; preference pairs unpaired as TRL's KTOTrainer does it. */
    static List<Sample.Feedback> read(DatasetSpec dataset, Path file) throws IOException {
        List<Sample> samples = DatasetLoader.load(dataset, file).samples();
        if (dataset.format == DataFormat.PREFERENCE) {
            return Unpaired.of(samples.stream().map(Sample.Preference.class::cast).toList());
        }
        return samples.stream().map(Sample.Feedback.class::cast).toList();
    }

    static FeedbackTokenizer feedbackTokenizer(
            FineTuneJobSpec spec, DatasetSpec dataset, HfTokenizer tokenizer) {
        AnswerRendering r = AnswerRendering.of(dataset, tokenizer);
        return new FeedbackTokenizer(
                tokenizer,
                r.template(),
                r.writesSpecialTokens(),
                r.eos(),
                spec.training.cutoffLength);
    }

    static List<TokenizedFeedback> tokenize(
            List<Sample.Feedback> examples, FeedbackTokenizer tokenizer) {
        return TokenizedDatasets.tokenize(examples, tokenizer::tokenize, LEFT_OUT);
    }
}
