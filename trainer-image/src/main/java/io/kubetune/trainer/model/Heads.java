package io.kubetune.trainer.model;

/**
 * Which heads a decoder carries on its hidden states, chosen by the caller when loading.
 *
 * @param languageModel whether the LM head (next-token logits) is there; a tied head costs nothing,
 *     an untied one needs {@code lm_head.weight} in the checkpoint
 * @param score whether and how the scalar score head ({@code score.weight}, {@code [1, hidden]}) is
 *     there
 */
public record Heads(boolean languageModel, ScoreHead score) {

    /** A causal LM: generation, pre-training, SFT, DPO. */
    public static final Heads LM = new Heads(true, ScoreHead.NONE);

    /**
     * A trained reward model, for scoring: a checkpoint without {@code score.weight} is refused.
     */
    public static final Heads REWARD_MODEL = new Heads(false, ScoreHead.LOAD);

    /**
     * A reward model about to be trained: the checkpoint's {@code score.weight} when it has one,
     * else a new head.
     */
    public static final Heads NEW_REWARD_MODEL = new Heads(false, ScoreHead.LOAD_OR_NEW);

    /** How the score head is had. */
    public enum ScoreHead {
        /** No score head. */
        NONE,
        /** Read from the checkpoint; missing is an error that says the model is no reward model. */
        LOAD,
        /**
         * Read from the checkpoint, or when missing created as transformers does: normal with std
         * {@code initializer_range}.
         */
        LOAD_OR_NEW
    }

    /** Returns whether the model has a score head. */
    public boolean hasScore() {
        return score != ScoreHead.NONE;
    }
}
