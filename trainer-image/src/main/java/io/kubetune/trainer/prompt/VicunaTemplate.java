package io.kubetune.trainer.prompt;

import io.kubetune.trainer.data.Role;
import io.kubetune.trainer.data.Turn;
import java.util.List;

/** Vicuna v1.1 (FastChat's "vicuna_v1.1"): "SYSTEM USER: ... ASSISTANT: ...&lt;/s&gt;". */
public final class VicunaTemplate implements ChatTemplate {
    static final String DEFAULT_SYSTEM =
            "A chat between a curious user and an artificial intelligence assistant. The"
                    + " assistant gives helpful, detailed, and polite answers to the user's"
                    + " questions.";

    private final String eos;

    /**
     * @param eos the tokenizer's end-of-sequence text, FastChat's second separator
     */
    public VicunaTemplate(String eos) {
        this.eos = eos == null ? "" : eos;
    }

    @Override
    public String render(List<Turn> turns, boolean addGenerationPrompt) {
        boolean ownSystem = !turns.isEmpty() && turns.get(0).role() == Role.SYSTEM;
        StringBuilder out =
                new StringBuilder(ownSystem ? turns.get(0).content() : DEFAULT_SYSTEM).append(' ');
        for (Turn turn : ownSystem ? turns.subList(1, turns.size()) : turns) {
            if (turn.role() == Role.USER) {
                out.append("USER: ").append(turn.text()).append(' ');
            } else {
                out.append("ASSISTANT: ").append(turn.text()).append(eos);
            }
        }
        if (addGenerationPrompt) {
            out.append("ASSISTANT:");
        }
        return out.toString();
    }

    @Override
    public List<String> stopStrings() {
        return List.of("\nUSER:");
    }
}
