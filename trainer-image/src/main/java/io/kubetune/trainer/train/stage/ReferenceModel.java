package io.kubetune.trainer.train.stage;

import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.peft.Adapters;
import java.util.function.Function;

/**
 * The model as it was before training, for objectives that compare against it (DPO, KTO, a KL
 * penalty). Under a PEFT method it is the trained model with its adapters switched off, so the base
 * weights are in memory once; under full or freeze fine-tuning it is a frozen copy.
 */
public interface ReferenceModel extends AutoCloseable {
    /**
     * Runs {@code forward} on the reference weights. Its inputs should be made in the caller's
     * per-batch scope (results belong to the inputs' manager); nothing it computes carries a
     * gradient, since every reference weight is frozen.
     */
    <T> T apply(Function<PretrainedModel, T> forward);

    @Override
    void close();

    /** The trained model with its adapters off: one copy of the base weights. */
    static ReferenceModel adaptersDisabled(PretrainedModel model, Adapters adapters) {
        return new ReferenceModel() {
            @Override
            public <T> T apply(Function<PretrainedModel, T> forward) {
                try (Adapters.Disabled off = adapters.disabled()) {
                    return forward.apply(model);
                }
            }

            @Override
            public void close() {}
        };
    }

    /** A separate copy of the base model, every weight frozen; closing it frees the copy. */
    static ReferenceModel frozenCopy(PretrainedModel copy) {
        copy.block().getParameters().values().forEach(p -> p.freeze(true));
        return new ReferenceModel() {
            @Override
            public <T> T apply(Function<PretrainedModel, T> forward) {
                return forward.apply(copy);
            }

            @Override
            public void close() {
                copy.close();
            }
        };
    }
}
