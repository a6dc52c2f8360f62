package io.kubetune.trainer.train.stage.ppo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The PPO epochs' order: a permutation per epoch, mini-batches of whole micro-batches. */
class PpoEpochsTest {
    @Test
    void eachEpochIsAPermutationCutIntoMiniAndMicroBatches() {
        List<int[]> orders = PpoEpochs.permutations(8, 3, new Random(1));
        assertEquals(3, orders.size());
        for (int[] order : orders) {
            int[] sorted = order.clone();
            Arrays.sort(sorted);
            assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7}, sorted);
        }
        List<List<int[]>> steps = PpoEpochs.steps(orders, 2, 2);
        assertEquals(6, steps.size(), "two optimizer steps per epoch");
        assertEquals(2, steps.get(0).size(), "of two micro-batches each");
        assertArrayEquals(Arrays.copyOfRange(orders.get(0), 0, 2), steps.get(0).get(0));
        assertArrayEquals(Arrays.copyOfRange(orders.get(0), 6, 8), steps.get(1).get(1));
        assertArrayEquals(Arrays.copyOfRange(orders.get(2), 4, 6), steps.get(5).get(0));
    }

    @Test
    void refusesRowsThatDoNotSplitIntoMiniBatches() {
        assertThrows(
                IllegalArgumentException.class,
                () -> PpoEpochs.steps(List.of(new int[] {0, 1, 2}), 2, 1));
    }
}
