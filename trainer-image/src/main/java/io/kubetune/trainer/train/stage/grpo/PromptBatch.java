package io.kubetune.trainer.train.stage.grpo;

import io.kubetune.trainer.data.Turn;
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
     * @param messages the prompt's turns when it went through a chat template (TRL's conversational
     *     prompt, which a reward model reads through its own template), else null
     */
    public record Prompt(
            long[] ids, String text, Map<String, String> columns, List<Turn> messages) {}
}
