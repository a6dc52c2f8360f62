package io.kubetune.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;

/**
 * What a decoder pass produced: the last layer's hidden states after the final norm, and the heads
 * on top of them, each computed only when asked (a reward model never materializes {@code [tokens,
 * vocab]} logits; a chunked loss can apply the LM head itself). Ask inside the same pass: the heads
 * run with the pass's parameter store and training flag.
 */
public final class ModelOutput {

    private final DecoderLm model;
    private final ParameterStore ps;
    private final ModelInput input;
    private final NDArray hidden;
    private final NDArray lead;
    private final boolean training;
    private NDArray logits;
    private NDArray tokenScores;

    ModelOutput(
            DecoderLm model,
            ParameterStore ps,
            ModelInput input,
            NDArray hidden,
            NDArray lead,
            boolean training) {
        this.model = model;
        this.ps = ps;
        this.input = input;
        this.hidden = hidden;
        this.lead = lead;
        this.training = training;
    }

    /** Returns the hidden states {@code [batch, seq, hidden]} after the final norm. */
    public NDArray hidden() {
        return hidden;
    }

    /**
     * Returns the hidden state {@code [batch, 1, hidden]} of the position just before the input's
     * first, when virtual tokens came first (prompt tuning, P-tuning), else null: it predicts the
     * first token, which PEFT's loss counts (it grows the labels by ignored ones in front).
     */
    public NDArray lead() {
        return lead;
    }

    /** Returns the LM head's logits {@code [batch, seq, vocab]}, computed on first call. */
    public NDArray logits() {
        if (logits == null) {
            logits = model.applyLmHead(ps, hidden, training);
        }
        return logits;
    }

    /**
     * Applies the LM head to part of {@link #hidden()} (selected positions, or one chunk of a
     * chunked loss), so the full {@code [batch, seq, vocab]} is never made.
     *
     * @param hiddenPart hidden states {@code [..., hidden]} taken from this output
     * @return logits {@code [..., vocab]}
     */
    public NDArray logitsOf(NDArray hiddenPart) {
        return model.applyLmHead(ps, hiddenPart, training);
    }

    /**
     * Returns the LM head's weight {@code [vocab, hidden]} when {@link #logitsOf} is exactly a
     * projection by it, else null (an adapter on the head).
     */
    public NDArray lmHeadWeight() {
        return model.lmHeadWeight(ps, hidden, training);
    }

    /** Returns the LM head's width, the vocabulary size. */
    public long vocabSize() {
        return model.vocabSize();
    }

    /** Returns whether this pass records gradients. */
    public boolean training() {
        return training;
    }

    /** Returns the score head's value at every position {@code [batch, seq]}. */
    public NDArray tokenScores() {
        if (tokenScores == null) {
            tokenScores = model.applyScoreHead(ps, hidden, training);
        }
        return tokenScores;
    }

    /**
     * Returns one score per sequence {@code [batch]}, read at the last token whose id is not the
     * config's {@code pad_token_id} (see {@link #scoredPositions(Long)}).
     */
    public NDArray scores() {
        return scores(model.config().padTokenId());
    }

    /**
     * Returns one score per sequence {@code [batch]}, read where {@link #scoredPositions(Long)}
     * says, as transformers' {@code *ForSequenceClassification} reads it.
     *
     * @param padTokenId the padding id (TRL sets the config's to the tokenizer's, EOS when it has
     *     none), or null
     */
    public NDArray scores(Long padTokenId) {
        NDArray index = scoredPositions(padTokenId).reshape(input.batchSize(), 1);
        return tokenScores().gather(index, 1).reshape(input.batchSize());
    }

    /** Returns where {@link #scores()} reads each row, with the config's pad id. */
    public NDArray scoredPositions() {
        return scoredPositions(model.config().padTokenId());
    }

    /**
     * Returns where each row's score is read {@code [batch]} (INT64): the rightmost token whose id
     * is not {@code padTokenId} (so left and right padding both work, and when pad equals EOS the
     * score lands before a trailing EOS); the last position when the input is embeddings or there
     * is no pad id (then only a batch of one is allowed, as transformers requires).
     *
     * @param padTokenId the padding id, or null
     */
    public NDArray scoredPositions(Long padTokenId) {
        NDManager manager = input.manager();
        long batch = input.batchSize();
        long seq = input.sequenceLength();
        if (padTokenId == null && batch != 1) {
            throw new IllegalArgumentException(
                    "config.json has no pad_token_id, so the scores of a batch of "
                            + batch
                            + " padded sequences cannot be read; set pad_token_id");
        }
        if (padTokenId == null || input.inputIds() == null) {
            return manager.full(new Shape(batch), (float) (seq - 1), DataType.INT64);
        }
        NDArray pad = manager.full(new Shape(), (float) padTokenId.longValue(), DataType.INT64);
        NDArray notPad = input.inputIds().neq(pad);
        NDArray indices = manager.arange(0, (int) seq, 1, DataType.INT64);
        return indices.mul(notPad.toType(DataType.INT64, false)).argMax(-1);
    }
}
