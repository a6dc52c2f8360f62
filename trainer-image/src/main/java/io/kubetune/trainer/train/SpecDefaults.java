package io.kubetune.trainer.train;

import io.kubetune.api.v1alpha1.CheckpointSpec;
import io.kubetune.api.v1alpha1.FineTuneJobSpec;
import io.kubetune.api.v1alpha1.FreezeSpec;
import io.kubetune.api.v1alpha1.LoraSpec;
import io.kubetune.api.v1alpha1.MethodSpec;
import io.kubetune.api.v1alpha1.MethodType;
import io.kubetune.api.v1alpha1.PromptLearningSpec;

/**
 * Fills the optional sections a job may leave out with the defaults the CRD declares (the api
 * classes' initial values are the CRD's {@code default}s), so a job without {@code method:}, or
 * with {@code type: lora} and no {@code lora:}, trains and exports with whole settings.
 */
final class SpecDefaults {
    private SpecDefaults() {}

    static FineTuneJobSpec fill(FineTuneJobSpec spec) {
        if (spec.method == null) {
            spec.method = new MethodSpec();
        }
        if (spec.method.type == MethodType.LORA && spec.method.lora == null) {
            spec.method.lora = new LoraSpec();
        }
        if (spec.method.type == MethodType.FREEZE && spec.method.freeze == null) {
            spec.method.freeze = new FreezeSpec();
        }
        if (spec.method.type != null
                && spec.method.type.promptLearning()
                && spec.method.promptLearning == null) {
            spec.method.promptLearning = new PromptLearningSpec();
        }
        if (spec.checkpoint == null) {
            spec.checkpoint = new CheckpointSpec();
        }
        return spec;
    }
}
