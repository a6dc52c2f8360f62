package io.kubetune.trainer.prompt;

import io.kubetune.trainer.data.Turn;
import java.util.List;

/** ChatML, as TRL's setup_chat_format installs it on a model without a template. */
public final class ChatMlTemplate implements ChatTemplate {
    public static final String IM_START = "<|im_start|>";
    public static final String IM_END = "<|im_end|>";

    @Override
    public String render(List<Turn> turns, boolean addGenerationPrompt) {
        StringBuilder out = new StringBuilder();
        for (Turn turn : turns) {
            out.append(IM_START).append(turn.role().templateName()).append('\n');
            out.append(turn.text()).append(IM_END).append('\n');
        }
        if (addGenerationPrompt) {
            out.append(IM_START).append("assistant\n");
        }
        return out.toString();
    }

    @Override
    public List<String> stopStrings() {
        return List.of("<|im_end|>");
    }
}
