package io.kubetune.trainer.model.decoder;

/** How a decoder encodes positions: learned absolute embeddings or rotary q/k rotation. */
public sealed interface PositionSpec {

    /** Creates the encoding for a decoder of hidden width {@code hidden}. */
    PositionEncoding create(int hidden);

    /**
     * GPT-2's table of learned position embeddings added to the token embeddings.
     *
     * @param count how many positions the table holds ({@code n_positions})
     */
    record Learned(int count) implements PositionSpec {
        @Override
        public PositionEncoding create(int hidden) {
            return new LearnedPositions(count, hidden);
        }
    }

    /**
     * Rotary position embedding applied to queries and keys.
     *
     * @param rope its frequencies
     */
    record Rotary(RopeParameters rope) implements PositionSpec {
        @Override
        public PositionEncoding create(int hidden) {
            return new RotaryEmbedding(rope);
        }
    }
}
