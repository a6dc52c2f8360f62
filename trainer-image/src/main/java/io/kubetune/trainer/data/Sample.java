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
     * One answer judged desirable or not: what stage kto learns from (TRL's unpaired preference
     * record). A preference pair becomes two of these, chosen desirable and rejected not.
     *
     * @param prompt the turns the answer continues; a single user turn for plain-text records
     * @param completion the judged answer's turns
     * @param plainText true when prompt and completion were strings, joined as text under template
     *     none
     * @param desirable the record's label
     */
    record Feedback(List<Turn> prompt, List<Turn> completion, boolean plainText, boolean desirable)
            implements Sample {
        public Feedback {
            prompt = List.copyOf(prompt);
            completion = List.copyOf(completion);
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
