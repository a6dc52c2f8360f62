package io.kubetune.trainer.train.stage.grpo;

import io.kubetune.trainer.train.stage.EpochPlan;
import java.util.ArrayList;
import java.util.List;

/** The prompt batches of every step: each epoch the prompts are shuffled, then cut into batches. */
final class PromptPlan extends EpochPlan<PromptBatch> {
    private final List<PromptBatch.Prompt> prompts;
    private final int promptsPerBatch;

    PromptPlan(
            List<PromptBatch.Prompt> prompts,
            int promptsPerBatch,
            int accumulation,
            long seed,
            Integer epochs,
            Integer maxSteps) {
        super(batchCount(prompts.size(), promptsPerBatch), accumulation, seed, epochs, maxSteps);
        this.prompts = List.copyOf(prompts);
        this.promptsPerBatch = promptsPerBatch;
    }

    @Override
    protected List<PromptBatch> batchesOfEpoch(long epochSeed) {
        return inBatches(shuffled(prompts, epochSeed), promptsPerBatch);
    }

    /** Cuts prompts into batches of {@code size}, the last one partial. */
    static List<PromptBatch> inBatches(List<PromptBatch.Prompt> prompts, int size) {
        List<PromptBatch> out = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i += size) {
            out.add(new PromptBatch(prompts.subList(i, Math.min(prompts.size(), i + size))));
        }
        return out;
    }
}
