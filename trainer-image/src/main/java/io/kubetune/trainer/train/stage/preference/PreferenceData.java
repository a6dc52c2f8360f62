package io.kubetune.trainer.train.stage.preference;

import io.kubetune.api.v1alpha1.DataFormat;
import io.kubetune.api.v1alpha1.DatasetSpec;
import io.kubetune.api.v1alpha1.FineTuneJobSpec;
import io.kubetune.api.v1alpha1.TrainingSpec;
import io.kubetune.trainer.batch.PairBatch;
import io.kubetune.trainer.batch.PairCollator;
import io.kubetune.trainer.batch.PairTokenizer;
import io.kubetune.trainer.batch.TokenizedPair;
import io.kubetune.trainer.data.DatasetLoader;
import io.kubetune.trainer.data.Sample;
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

/** A preference job's datasets as tokenized pairs: training plan, held-out pairs, probes. */
final class PreferenceData {
    private static final System.Logger LOG = System.getLogger(PreferenceData.class.getName());
    private static final TokenizedDatasets.LeftOut LEFT_OUT =
            new TokenizedDatasets.LeftOut(
                    LOG, "pairs do not fit training.cutoffLength and were left out");

    private PreferenceData() {}

    /** Refuses datasets that are not pairs, before anything is downloaded. */
    static void validate(FineTuneJobSpec spec) {
        DatasetChecks.paddedRows(spec, "stages rm and dpo keep each pair");
        DatasetChecks.formats(
                spec,
                Set.of(DataFormat.PREFERENCE),
                "pairs; stage "
                        + spec.stage.name().toLowerCase()
                        + " reads format preference ({prompt, chosen, rejected})");
    }

    static StageData<PairBatch> prepare(
            FineTuneJobSpec spec,
            FineTuneRun.Inputs inputs,
            HfTokenizer tokenizer,
            PairTokenizer.Overflow overflow)
            throws IOException {
        TokenizedDatasets<Sample.Preference, TokenizedPair> data =
                TokenizedDatasets.load(
                        spec,
                        inputs,
                        PreferenceData::read,
                        dataset -> pairTokenizer(spec, dataset, tokenizer, overflow)::tokenize,
                        PreferenceData::heldOut,
                        LEFT_OUT);
        List<TokenizedPair> train = data.train();
        List<TokenizedPair> validation = data.validation();
        TrainingSpec t = spec.training;
        int padId = tokenizer.specialTokens().paddingId();
        PairPlan plan =
                new PairPlan(
                        train,
                        padId,
                        t.batchSize,
                        t.gradientAccumulationSteps,
                        t.seed,
                        t.epochs,
                        t.maxSteps);
        return new StageData<>(
                plan,
                new PairCollator(padId).collateInBatches(validation, t.batchSize),
                // A reward model has no LM head to answer with.
                overflow == PairTokenizer.Overflow.DROP
                        ? List.of()
                        : Probes.of(
                                data.read(),
                                pair -> true,
                                Sample.Preference::prompt,
                                Sample.Preference::chosen));
    }

    private static List<Sample.Preference> read(DatasetSpec dataset, Path file) throws IOException {
        return DatasetLoader.load(dataset, file).samples().stream()
                .map(Sample.Preference.class::cast)
                .toList();
    }

    private static PairTokenizer pairTokenizer(
            FineTuneJobSpec spec,
            DatasetSpec dataset,
            HfTokenizer tokenizer,
            PairTokenizer.Overflow overflow) {
        AnswerRendering r = AnswerRendering.of(dataset, tokenizer);
        return new PairTokenizer(
                tokenizer,
                r.template(),
                r.writesSpecialTokens(),
                r.eos(),
                spec.training.cutoffLength,
                overflow);
    }

    /**
     * A seeded draw of {@code ratio} of the pairs (so a resumed run holds out the same ones); both
     * parts come out shuffled.
     *
     * @return the held-out pairs, then the rest
     */
    private static List<List<TokenizedPair>> heldOut(
            List<TokenizedPair> pairs, double ratio, long seed) {
        List<TokenizedPair> shuffled = new ArrayList<>(pairs);
        Collections.shuffle(shuffled, new Random(seed));
        int count = (int) Math.round(shuffled.size() * ratio);
        return List.of(shuffled.subList(0, count), shuffled.subList(count, shuffled.size()));
    }
}
