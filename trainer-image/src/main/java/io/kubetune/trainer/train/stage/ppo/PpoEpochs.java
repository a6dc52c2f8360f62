package io.kubetune.trainer.train.stage.ppo;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * How the PPO epochs walk one rollout batch, as TRL's PPOTrainer does: each epoch a fresh
 * permutation of the rows, cut into {@code miniBatches} mini-batches, each one optimizer step over
 * micro-batches of {@code batchSize} rows. (TRL's accelerate loop steps once per
 * gradient_accumulation_steps micro-batches whatever miniBatches is; with miniBatches 1 the two
 * agree, and the CRD keeps mini-batches whole micro-batches.)
 */
public final class PpoEpochs {
    private PpoEpochs() {}

    /** Random permutations of {@code rows}, one per epoch. */
    public static List<int[]> permutations(int rows, int epochs, Random random) {
        List<int[]> out = new ArrayList<>();
        for (int e = 0; e < epochs; e++) {
            int[] order = new int[rows];
            Arrays.setAll(order, i -> i);
            for (int i = rows - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int swap = order[i];
                order[i] = order[j];
                order[j] = swap;
            }
            out.add(order);
        }
        return out;
    }

    /**
     * @param permutations one order of the rows per epoch
     * @return the optimizer steps in order, each a list of micro-batches' row indices
     */
    public static List<List<int[]>> steps(
            List<int[]> permutations, int miniBatches, int batchSize) {
        List<List<int[]>> steps = new ArrayList<>();
        for (int[] order : permutations) {
            if (order.length % miniBatches != 0) {
                throw new IllegalArgumentException(
                        order.length
                                + " rollout rows cannot be cut into "
                                + miniBatches
                                + " mini-batches");
            }
            int mini = order.length / miniBatches;
            for (int start = 0; start < order.length; start += mini) {
                List<int[]> micro = new ArrayList<>();
                for (int m = start; m < start + mini; m += batchSize) {
                    micro.add(Arrays.copyOfRange(order, m, Math.min(m + batchSize, start + mini)));
                }
                steps.add(micro);
            }
        }
        return steps;
    }
}
