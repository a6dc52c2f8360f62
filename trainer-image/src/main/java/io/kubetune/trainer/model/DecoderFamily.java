package io.kubetune.trainer.model;

import io.kubetune.trainer.model.decoder.DecoderConfig;
import io.kubetune.trainer.model.io.HfConfig;
import java.util.List;

/**
 * A model family on the shared decoder: how its {@code config.json} maps onto a {@link
 * DecoderConfig}, and the Hugging Face names of its tensors. The heads' names ({@code lm_head},
 * {@code score}) are the same for every family and are bound by {@link DecoderLm} itself.
 */
public interface DecoderFamily {

    /**
     * Reads a config of this family.
     *
     * @param config a {@code config.json}
     * @return the decoder's shape; errors name the file, key and value
     */
    DecoderConfig config(HfConfig config);

    /**
     * Binds every parameter of the model's body (embeddings, layers, final norm) to its tensor.
     *
     * @param model a model built from {@link #config}
     * @return the bindings, in checkpoint order
     */
    List<WeightBinding> bodyBindings(DecoderLm model);

    /** Returns {@code pad_token_id}, or null when the config has none. */
    static Long padTokenId(HfConfig config) {
        return config.has("pad_token_id") ? (long) config.getInt("pad_token_id") : null;
    }
}
