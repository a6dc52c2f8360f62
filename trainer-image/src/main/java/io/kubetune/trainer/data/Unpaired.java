package io.kubetune.trainer.data;

import java.util.ArrayList;
import java.util.List;

/**
 * Preference pairs as judged answers, in the order TRL's unpair_preference_dataset gives them
 * (data_utils.py, _unpair_row, applied with datasets' batched map of 1000 rows): in each block of
 * 1000 pairs, every chosen answer (desirable) in order, then every rejected one.
 */
public final class Unpaired {
    /** datasets.Dataset.map's default batch_size, which TRL's unpairing runs under. */
    static final int BLOCK = 1000;

    private Unpaired() {}

    public static List<Sample.Feedback> of(List<Sample.Preference> pairs) {
        List<Sample.Feedback> out = new ArrayList<>(2 * pairs.size());
        for (int start = 0; start < pairs.size(); start += BLOCK) {
            List<Sample.Preference> block =
                    pairs.subList(start, Math.min(pairs.size(), start + BLOCK));
            for (Sample.Preference p : block) {
                out.add(new Sample.Feedback(p.prompt(), p.chosen(), p.plainText(), true));
            }
            for (Sample.Preference p : block) {
                out.add(new Sample.Feedback(p.prompt(), p.rejected(), p.plainText(), false));
            }
        }
        return out;
    }
}
