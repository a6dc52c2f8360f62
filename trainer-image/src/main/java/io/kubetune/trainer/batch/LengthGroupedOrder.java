package io.kubetune.trainer.batch;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * transformers' group_by_length sampling: shuffle, cut into mega-batches of 50 batches, sort each
 * by length (longest first), so batches hold similar lengths and padding shrinks, while the order
 * stays random across mega-batches.
 */
public final class LengthGroupedOrder {
    private static final int MEGA_BATCH_FACTOR = 50;

    private LengthGroupedOrder() {}

    public static List<Integer> indices(int[] lengths, int batchSize, long seed) {
        List<Integer> order = new ArrayList<>(lengths.length);
        for (int i = 0; i < lengths.length; i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(seed));
        int mega = Math.max(1, batchSize * MEGA_BATCH_FACTOR);
        List<Integer> out = new ArrayList<>(lengths.length);
        for (int start = 0; start < order.size(); start += mega) {
            List<Integer> chunk =
                    new ArrayList<>(order.subList(start, Math.min(order.size(), start + mega)));
            chunk.sort(Comparator.comparingInt((Integer i) -> lengths[i]).reversed());
            out.addAll(chunk);
        }
        return out;
    }
}
