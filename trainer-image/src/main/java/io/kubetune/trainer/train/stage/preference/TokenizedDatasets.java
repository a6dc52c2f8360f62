package io.kubetune.trainer.train.stage.preference;

import io.kubetune.api.v1alpha1.DatasetSpec;
import io.kubetune.api.v1alpha1.FineTuneJobSpec;
import io.kubetune.trainer.train.FineTuneRun;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * A job's datasets read and tokenized, with its validation examples: the part of preparing the data
 * that pairs (rm, dpo) and judged answers (kto) share. Only how an example is read, tokenized and
 * held out differs, so those come in as functions.
 *
 * @param read every example read, in the data's order (probes are drawn from them)
 * @param train the tokenized examples left for training
 * @param validation the tokenized held-out examples (none without spec.validation)
 * @param <S> an example as read
 * @param <T> an example as tokenized
 */
record TokenizedDatasets<S, T>(List<S> read, List<T> train, List<T> validation) {

    /** Reads one dataset file as examples. */
    interface Reader<S> {
        List<S> read(DatasetSpec dataset, Path file) throws IOException;
    }

    /** Splits the training examples by ratio, seeded so a resumed run holds out the same ones. */
    interface HoldOut<T> {
        /**
         * @return the held-out examples, then the rest
         */
        List<List<T>> split(List<T> examples, double ratio, long seed);
    }

    /**
     * Reads and tokenizes every dataset; validation comes from spec.validation.uri (read as the
     * first dataset is) or is held out of the training examples by spec.validation.ratio.
     */
    static <S, T> TokenizedDatasets<S, T> load(
            FineTuneJobSpec spec,
            FineTuneRun.Inputs inputs,
            Reader<S> reader,
            Function<DatasetSpec, Function<S, Optional<T>>> tokenizers,
            HoldOut<T> holdOut,
            LeftOut leftOut)
            throws IOException {
        List<S> all = new ArrayList<>();
        List<T> train = new ArrayList<>();
        for (int d = 0; d < spec.datasets.size(); d++) {
            DatasetSpec dataset = spec.datasets.get(d);
            List<S> read = reader.read(dataset, inputs.dataFiles().get(d));
            all.addAll(read);
            train.addAll(tokenize(read, tokenizers.apply(dataset), leftOut));
        }
        List<T> validation = List.of();
        if (spec.validation != null && spec.validation.uri != null) {
            DatasetSpec first = spec.datasets.get(0);
            validation =
                    tokenize(
                            reader.read(first, inputs.validationFile()),
                            tokenizers.apply(first),
                            leftOut);
        } else if (spec.validation != null) {
            double ratio = Double.parseDouble(spec.validation.ratio);
            List<List<T>> split = holdOut.split(train, ratio, spec.training.seed);
            validation = split.get(0);
            train = split.get(1);
        }
        return new TokenizedDatasets<>(all, train, validation);
    }

    /** How a stage words the one warning about examples too long to keep. */
    record LeftOut(System.Logger log, String what) {}

    /**
     * Tokenizes the examples, leaving out those the tokenizer refuses (too long for
     * training.cutoffLength), with one warning that counts them.
     */
    static <S, T> List<T> tokenize(
            List<S> examples, Function<S, Optional<T>> tokenizer, LeftOut leftOut) {
        List<T> out = new ArrayList<>(examples.size());
        for (S example : examples) {
            tokenizer.apply(example).ifPresent(out::add);
        }
        if (out.size() < examples.size()) {
            leftOut.log().log(
                    System.Logger.Level.WARNING,
                    (examples.size() - out.size())
                            + " of "
                            + examples.size()
                            + " "
                            + leftOut.what());
        }
        return out;
    }
}
