package io.kubetune.trainer.model;

import ai.djl.nn.Parameter;
import io.kubetune.trainer.model.io.WeightLayout;
import java.util.List;

/**
 * Which checkpoint tensor fills a parameter, under its Hugging Face name. The same names let a LoRA
 * adapter be exported with PEFT's names later.
 *
 * @param parameter the model's parameter
 * @param names the tensor's name in the checkpoint, then any alternative spellings tried in order
 * @param layout how the tensor is rearranged into the parameter
 */
public record WeightBinding(Parameter parameter, List<String> names, WeightLayout layout) {

    /** Binds a parameter to one tensor taken as it is. */
    public static WeightBinding of(Parameter parameter, String name) {
        return new WeightBinding(parameter, List.of(name), WeightLayout.AS_IS);
    }

    /** Returns the canonical Hugging Face name. */
    public String name() {
        return names.get(0);
    }
}
