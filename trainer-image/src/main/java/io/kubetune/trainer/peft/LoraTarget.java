package io.kubetune.trainer.peft;

import io.kubetune.trainer.model.layers.LinearLayer;

/**
 * A linear layer that carries a LoRA adapter.
 *
 * @param modulePath the layer's Hugging Face module path, e.g. model.layers.0.self_attn.q_proj
 */
public record LoraTarget(String modulePath, LinearLayer layer, LoraAdapter adapter) {
    /** The last part of the path, which target_modules matches: q_proj, c_fc, ... */
    public String moduleName() {
        return modulePath.substring(modulePath.lastIndexOf('.') + 1);
    }
}
