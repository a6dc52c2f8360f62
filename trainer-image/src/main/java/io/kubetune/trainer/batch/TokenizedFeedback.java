package io.kubetune.trainer.batch;

/**
 * A judged answer's tokens, as TRL's KTOTrainer keeps them: the prompt's ids (up to where prompt
 * and prompt + answer first differ) and the answer's.
 *
 * @param prompt the prompt's ids; they never count in a loss
 * @param completion the answer's ids
 * @param desirable the record's label
 */
public record TokenizedFeedback(int[] prompt, int[] completion, boolean desirable) {
    public int tokens() {
        return prompt.length + completion.length;
    }
}
