package io.kubetune.trainer.prompt;

import io.kubetune.trainer.data.Turn;
import java.util.List;

/** Renders a conversation into the text a model is trained on or prompted with. */
public interface ChatTemplate {
    /**
     * @param addGenerationPrompt end with what opens the assistant's reply, for generation
     */
    String render(List<Turn> turns, boolean addGenerationPrompt);

    /**
     * Text that ends a reply when the model writes it (e.g. ChatML's end of turn), for generation
     * to stop at; the model's EOS token stops it regardless.
     */
    default List<String> stopStrings() {
        return List.of();
    }

    /** The whole conversation, with the assistant's replies marked trainable. */
    default List<Segment> segments(List<Turn> turns) {
        return TrainableSegments.split(this, turns);
    }
}
