package io.kubetune.trainer.train.stage.preference;

import io.kubetune.trainer.batch.TokenizedFeedback;
import java.util.List;
import java.util.Locale;

/**
 * How many desirable and undesirable examples stage kto trains on: it needs both, and TRL warns
 * when the weighted balance w_d·n_d / (w_u·n_u) lies outside [1, 4/3] (Eq. 8 of the KTO paper).
 */
record ClassBalance(int desirable, int undesirable) {
    private static final System.Logger LOG = System.getLogger(ClassBalance.class.getName());

    static ClassBalance of(List<TokenizedFeedback> examples) {
        int desirable = (int) examples.stream().filter(TokenizedFeedback::desirable).count();
        return new ClassBalance(desirable, examples.size() - desirable);
    }

    /**
     * Refuses data with one kind of example only and logs TRL's warning with its advised ranges
     * when the weights do not balance the two kinds.
     */
    void check(KtoSettings settings) {
        if (desirable == 0 || undesirable == 0) {
            throw new IllegalArgumentException(
                    "spec.datasets: the training data holds "
                            + desirable
                            + " desirable and "
                            + undesirable
                            + " undesirable answers; stage kto needs both (label true and false,"
                            + " or preference pairs)");
        }
        warning(settings).ifPresent(w -> LOG.log(System.Logger.Level.WARNING, w));
    }

    /** TRL's warning (kto_trainer.py, _prepare_dataset), same bounds and rounding; or none. */
    java.util.Optional<String> warning(KtoSettings settings) {
        if (desirable == undesirable) {
            return java.util.Optional.empty();
        }
        double wd = settings.desirableWeight();
        double wu = settings.undesirableWeight();
        double desLow = round2(undesirable * wu / desirable);
        double desHigh = round2(undesirable * wu / desirable * 1.33);
        double undLow = round2(desirable * wd / undesirable / 1.33);
        double undHigh = round2(desirable * wd / undesirable);
        boolean desIn = desLow <= wd && wd <= desHigh;
        boolean undIn = undLow <= wu && wu <= undHigh;
        if (desIn || undIn) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(
                String.format(
                        Locale.ROOT,
                        "%d desirable and %d undesirable answers with preference.desirableWeight"
                                + " %s and undesirableWeight %s are outside TRL's advised balance"
                                + " (weighted desirable ÷ undesirable in [1, 4/3]): set EITHER"
                                + " desirableWeight in [%s, %s] OR undesirableWeight in [%s, %s]",
                        desirable,
                        undesirable,
                        trim(wd),
                        trim(wu),
                        trim(desLow),
                        trim(desHigh),
                        trim(undLow),
                        trim(undHigh)));
    }

    private static double round2(double x) {
        return Math.round(x * 100) / 100.0;
    }

    private static String trim(double x) {
        return x == Math.rint(x) ? String.valueOf((long) x) : String.valueOf(x);
    }
}
