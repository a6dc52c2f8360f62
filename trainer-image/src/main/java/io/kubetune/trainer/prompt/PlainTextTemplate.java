package io.kubetune.trainer.prompt;

import io.kubetune.trainer.data.Role;
import io.kubetune.trainer.data.Turn;
import java.util.List;

/**
 * {@code template: none}: the turns' texts joined as they are, each reply followed by the
 * tokenizer's EOS, as TRL tokenizes non-conversational prompt-completion data.
 */
final class PlainTextTemplate implements ChatTemplate {
    private final String eos;

    PlainTextTemplate(String eos) {
        this.eos = eos;
    }

    @Override
    public String render(List<Turn> turns, boolean addGenerationPrompt) {
        StringBuilder text = new StringBuilder();
        for (Turn turn : turns) {
            text.append(turn.text());
            if (turn.role() == Role.ASSISTANT && !turn.text().endsWith(eos)) {
                text.append(eos);
            }
        }
        return text.toString();
    }
}
