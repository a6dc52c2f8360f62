package io.kubetune.trainer.train.stage.grpo;

import java.util.List;
import java.util.Map;

/**
 * The prompts of one GRPO micro-batch; each is answered numGenerations times.
 *
 * @param prompts the prompts
 */
public record PromptBatch(List<PromptBatch.Prompt> prompts) {
    public PromptBatch {
        prompts = List.copyOf(prompts);
    }

    /**
     * One tokenized prompt.
     *
     * @param ids its token ids, as the model is prompted with them
     * @param text the prompt as the user wrote it, for generations.jsonl
     * @param columns the record's other columns, which rewards compare against
     */
    public record Prompt(long[] ids, String text, Map<String, String> columns) {}
}
