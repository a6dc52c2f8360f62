package io.kubetune.trainer.data;

import java.util.List;

/** One training example, after its record has been read and checked. */
public sealed interface Sample {
    /** Raw text for pre-training: every token is trained on. */
    record Text(String text) implements Sample {}

    /** A conversation: a system turn first if any, then user and assistant turns. */
    record Chat(List<Turn> turns) implements Sample {
        public Chat {
            turns = List.copyOf(turns);
        }
    }

    /**
     * Two answers to one prompt, the first preferred: what stages rm and dpo learn from.
     *
     * @param prompt the turns both answers continue; a single user turn for plain-text records
     * @param plainText true when prompt, chosen and rejected were all strings, so they can be
     *     joined as text (template none) instead of rendered by a chat template
     * @param margin how much better chosen is (the reward model's margin column), 0 when absent
     */
    record Preference(
            List<Turn> prompt,
            List<Turn> chosen,
            List<Turn> rejected,
            boolean plainText,
            double margin)
            implements Sample {
        public Preference {
            prompt = List.copyOf(prompt);
            chosen = List.copyOf(chosen);
            rejected = List.copyOf(rejected);
        }
    }

    /**
     * A prompt to sample answers to, with the record's other columns (reference answers the rule
     * rewards compare against): what stage grpo learns from.
     *
     * @param prompt the turns to answer; a single user turn for a plain-text prompt
     * @param plainText true when the prompt was a string, so it can be used as text (template none)
     *     instead of rendered by a chat template
     * @param columns the record's other text and number columns, as text
     */
    record Prompt(List<Turn> prompt, boolean plainText, java.util.Map<String, String> columns)
            implements Sample {
        public Prompt {
            prompt = List.copyOf(prompt);
            columns = java.util.Map.copyOf(columns);
        }
    }
}
