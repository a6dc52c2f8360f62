package io.kubetune.trainer.peft;

import ai.djl.nn.Parameter;
import io.kubetune.trainer.model.layers.LinearAdapter;
import io.kubetune.trainer.model.layers.LinearLayer;

/**
 * A linear layer that carries a LoRA adapter, or a DoRA one (LoRA plus a magnitude).
 *
 * @param modulePath the layer's Hugging Face module path, e.g. model.layers.0.self_attn.q_proj
 * @param dora the DoRA adapter wrapping {@code adapter}, or null under plain LoRA
 */
public record LoraTarget(
        String modulePath, LinearLayer layer, LoraAdapter adapter, DoraAdapter dora) {

    public LoraTarget(String modulePath, LinearLayer layer, LoraAdapter adapter) {
        this(modulePath, layer, adapter, null);
    }

    /** The last part of the path, which target_modules matches: q_proj, c_fc, ... */
    public String moduleName() {
        return modulePath.substring(modulePath.lastIndexOf('.') + 1);
    }

    /** What the layer applies: the DoRA adapter, or the LoRA one. */
    public LinearAdapter attached() {
        return dora != null ? dora : adapter;
    }

    /** DoRA's magnitude vector (the whole module's), or null under plain LoRA. */
    public Parameter magnitude() {
        return dora == null ? null : dora.magnitude();
    }
}
