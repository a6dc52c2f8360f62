package io.kubetune.trainer.model;

import ai.djl.nn.Parameter;
import ai.djl.training.initializer.Initializer;
import io.kubetune.trainer.model.io.WeightLayout;
import java.util.List;

/**
 * Which checkpoint tensor fills a parameter, under its Hugging Face name. The same names let a LoRA
 * adapter be exported with PEFT's names later.
 *
 * @param parameter the model's parameter
 * @param names the tensor's name in the checkpoint, then any alternative spellings tried in order
 * @param layout how the tensor is rearranged into the parameter
 * @param whenMissing fills the parameter when the checkpoint lacks the tensor (a new head), or null
 *     when the tensor is required
 */
public record WeightBinding(
        Parameter parameter, List<String> names, WeightLayout layout, Initializer whenMissing) {

    /** Binds a parameter to a required tensor. */
    public WeightBinding(Parameter parameter, List<String> names, WeightLayout layout) {
        this(parameter, names, layout, null);
    }

    /** Binds a parameter to one required tensor taken as it is. */
    public static WeightBinding of(Parameter parameter, String name) {
        return new WeightBinding(parameter, List.of(name), WeightLayout.AS_IS);
    }

    /** Returns the canonical Hugging Face name. */
    public String name() {
        return names.get(0);
    }
}
