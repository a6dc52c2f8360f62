package io.kubetune.trainer.model.decoder;

/**
 * The shape of a decoder, whatever the family: what a family's {@code config.json} maps onto.
 *
 * @param family {@code model_type}, for messages
 * @param vocabSize rows of the token embedding (and LM head)
 * @param hidden the hidden width
 * @param layers number of decoder layers
 * @param attention each layer's attention
 * @param feedForward each layer's feed-forward
 * @param norm the normalization before attention, before the feed-forward and at the end
 * @param positions how positions are encoded
 * @param tieEmbeddings whether the LM head reuses the token embeddings
 * @param padTokenId {@code pad_token_id}, or null: where a score head reads a padded sequence
 * @param initializerRange {@code initializer_range}: the std of a newly created head
 */
public record DecoderConfig(
        String family,
        int vocabSize,
        int hidden,
        int layers,
        AttentionSpec attention,
        FeedForwardSpec feedForward,
        NormSpec norm,
        PositionSpec positions,
        boolean tieEmbeddings,
        Long padTokenId,
        double initializerRange) {}
