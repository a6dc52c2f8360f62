package io.kubetune.trainer.peft;

import ai.djl.nn.Parameter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The adapters a PEFT method put on a model, as a whole: what trains, switching them off, merging
 * them into the base weights, and writing them in PEFT's format.
 */
public interface Adapters {
    /** The adapters' weights under their PEFT names: what the optimizer updates. */
    Map<String, Parameter> trainable();

    /**
     * Switches every adapter off until the returned scope closes: inside it the model gives the
     * base model's outputs (DPO's reference model with one copy of the weights), after it the
     * adapted ones again. Scopes nest.
     */
    Disabled disabled();

    /** Folds the adapters into the base weights and removes them, as PEFT's merge_and_unload. */
    void merge();

    /**
     * Writes {@code adapter_config.json} and {@code adapter_model.safetensors}.
     *
     * @param baseModel {@code base_model_name_or_path}: the model's URI as the user wrote it
     */
    void write(Path dir, String baseModel) throws IOException;

    /** A scope in which the adapters are off; closing it switches them back on. */
    interface Disabled extends AutoCloseable {
        @Override
        void close();
    }
}
