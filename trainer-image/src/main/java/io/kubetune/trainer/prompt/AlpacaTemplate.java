package io.kubetune.trainer.prompt;

import io.kubetune.trainer.data.Role;
import io.kubetune.trainer.data.Turn;
import java.util.List;

/** Stanford Alpaca's prompt; later turns repeat the Instruction/Response blocks. */
public final class AlpacaTemplate implements ChatTemplate {
    static final String PREAMBLE =
            "Below is an instruction that describes a task. Write a response that appropriately"
                    + " completes the request.";
    static final String PREAMBLE_WITH_INPUT =
            "Below is an instruction that describes a task, paired with an input that provides"
                    + " further context. Write a response that appropriately completes the"
                    + " request.";

    private final String eos;

    /**
     * @param eos the tokenizer's end-of-sequence text, appended to each reply so it is learnt
     */
    public AlpacaTemplate(String eos) {
        this.eos = eos == null ? "" : eos;
    }

    /** A system turn replaces the preamble; "### Response:" always follows an instruction. */
    @Override
    public String render(List<Turn> turns, boolean addGenerationPrompt) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < turns.size(); i++) {
            Turn turn = turns.get(i);
            Role previous = i == 0 ? null : turns.get(i - 1).role();
            switch (turn.role()) {
                case SYSTEM -> out.append(turn.content()).append("\n\n");
                case USER -> {
                    if (previous == null) {
                        out.append(hasInput(turn) ? PREAMBLE_WITH_INPUT : PREAMBLE).append("\n\n");
                    } else if (previous == Role.ASSISTANT) {
                        out.append("\n\n");
                    }
                    appendInstruction(out, turn);
                }
                case ASSISTANT -> out.append(turn.content()).append(eos);
            }
        }
        return out.toString();
    }

    private static boolean hasInput(Turn turn) {
        return turn.input() != null && !turn.input().isEmpty();
    }

    private static void appendInstruction(StringBuilder out, Turn turn) {
        out.append("### Instruction:\n").append(turn.content()).append("\n\n");
        if (hasInput(turn)) {
            out.append("### Input:\n").append(turn.input()).append("\n\n");
        }
        out.append("### Response:\n");
    }

    @Override
    public List<String> stopStrings() {
        return List.of("### Instruction:");
    }
}
