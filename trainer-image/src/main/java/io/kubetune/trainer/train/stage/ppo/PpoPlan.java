package io.kubetune.trainer.train.stage.ppo;

import io.kubetune.trainer.train.stage.BatchPlan;
import io.kubetune.trainer.train.stage.grpo.PromptBatch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Stage ppo's steps: each step of the prompt plan is one rollout batch (batchSize x
 * gradientAccumulationSteps prompts), trained on for ppoEpochs x miniBatches optimizer steps as
 * {@link PpoEpochs} walks it. The permutations are drawn from the seed and the rollout's number, so
 * a step's rows depend only on the step number.
 */
final class PpoPlan implements BatchPlan<PpoTurn> {
    private final BatchPlan<PromptBatch> prompts;
    private final PpoSettings settings;
    private final int batchSize;
    private final long seed;
    private final Integer maxSteps;

    /**
     * @param maxSteps optimizer steps in all (training.maxSteps, as transformers counts them), or
     *     null for the prompt plan's epochs
     */
    PpoPlan(
            BatchPlan<PromptBatch> prompts,
            PpoSettings settings,
            int batchSize,
            long seed,
            Integer maxSteps) {
        this.prompts = prompts;
        this.maxSteps = maxSteps;
        this.settings = settings;
        this.batchSize = batchSize;
        this.seed = seed;
    }

    private int updatesPerRollout() {
        return settings.ppoEpochs() * settings.miniBatches();
    }

    /** TRL's PPOTrainer steps its LR scheduler once per rollout batch, after all its updates. */
    @Override
    public int stepsPerScheduleStep() {
        return updatesPerRollout();
    }

    @Override
    public long totalSteps() {
        long all = prompts.totalSteps() * updatesPerRollout();
        return maxSteps == null ? all : Math.min(all, maxSteps);
    }

    @Override
    public List<PpoTurn> microBatches(long step) {
        long rollout = step / updatesPerRollout();
        int update = (int) (step % updatesPerRollout());
        List<PromptBatch> batch = prompts.microBatches(rollout);
        int rows = batch.stream().mapToInt(b -> b.prompts().size()).sum();
        List<int[]> orders =
                PpoEpochs.permutations(rows, settings.ppoEpochs(), new Random(seed + rollout));
        List<int[]> micro = steps(orders, rows).get(update);
        List<PpoTurn> out = new ArrayList<>();
        micro.forEach(indices -> out.add(new PpoTurn(rollout, batch, indices)));
        return out;
    }

    // A last, partial rollout batch whose rows do not divide into the mini-batches is cut into
    // nearly equal ones (TRL drops no prompt either; its dataloader repeats).
    private List<List<int[]>> steps(List<int[]> orders, int rows) {
        int mini = settings.miniBatches();
        if (rows % mini == 0) {
            return PpoEpochs.steps(orders, mini, batchSize);
        }
        List<List<int[]>> out = new ArrayList<>();
        for (int[] order : orders) {
            for (int m = 0; m < mini; m++) {
                int from = (int) ((long) m * rows / mini);
                int to = (int) ((long) (m + 1) * rows / mini);
                List<int[]> micro = new ArrayList<>();
                for (int s = from; s < to; s += batchSize) {
                    micro.add(Arrays.copyOfRange(order, s, Math.min(to, s + batchSize)));
                }
                out.add(micro);
            }
        }
        return out;
    }

    @Override
    public double epochAt(long step) {
        return prompts.epochAt(step / updatesPerRollout());
    }

    /** Held-out prompt batches, each a rollout of its own trained on by none. */
    static List<PpoTurn> evaluation(List<PromptBatch> batches) {
        List<PpoTurn> out = new ArrayList<>();
        for (int i = 0; i < batches.size(); i++) {
            int[] all = new int[batches.get(i).prompts().size()];
            Arrays.setAll(all, r -> r);
            out.add(new PpoTurn(-1 - i, List.of(batches.get(i)), all));
        }
        return out;
    }
}
