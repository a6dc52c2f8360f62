package io.kubetune.trainer.model;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.kubetune.trainer.model.io.Checkpoint;
import io.kubetune.trainer.model.io.HfConfig;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A causal LM ready to run: its DJL {@link Model} (which owns the parameters' memory), the block,
 * its config, and the precision it computes in.
 */
public final class PretrainedModel implements AutoCloseable {

    private final Model model;
    private final CausalLm block;
    private final HfConfig config;
    private final Precision precision;

    private PretrainedModel(Model model, CausalLm block, HfConfig config, Precision precision) {
        this.model = model;
        this.block = block;
        this.config = config;
        this.precision = precision;
    }

    /**
     * Loads a Hugging Face model folder.
     *
     * @param modelDir holds {@code config.json} and the safetensors checkpoint
     * @param device where to compute
     * @param precision the compute type
     * @return the loaded model; close it to free its memory
     * @throws IOException if a file cannot be read
     */
    public static PretrainedModel load(Path modelDir, Device device, Precision precision)
            throws IOException {
        precision.checkSupportedOn(device);
        HfConfig config = HfConfig.read(modelDir.resolve("config.json"));
        CausalLm block = ArchitectureRegistry.standard().create(config);
        Model model = Model.newInstance(modelDir.getFileName().toString(), device);
        try (Checkpoint checkpoint = Checkpoint.open(modelDir)) {
            WeightLoader.load(block, checkpoint, model.getNDManager(), precision.dataType());
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e;
        }
        return wrap(model, block, config, precision);
    }

    /**
     * Creates a model with random weights, for benchmarks and memory tests.
     *
     * @param config a {@code config.json} as it would be written
     * @param device where to compute
     * @param precision the compute type
     * @return the model
     */
    public static PretrainedModel random(HfConfig config, Device device, Precision precision) {
        precision.checkSupportedOn(device);
        CausalLm block = ArchitectureRegistry.standard().create(config);
        Model model = Model.newInstance(config.modelType(), device);
        block.initialize(model.getNDManager(), precision.dataType(), new Shape(1, 1));
        return wrap(model, block, config, precision);
    }

    private static PretrainedModel wrap(
            Model model, CausalLm block, HfConfig config, Precision precision) {
        model.setBlock(block);
        model.setDataType(precision.dataType());
        return new PretrainedModel(model, block, config, precision);
    }

    /** Returns a parameter store for one pass (DJL's way of handing blocks their arrays). */
    public ParameterStore parameterStore() {
        return new ParameterStore(model.getNDManager(), false);
    }

    /** Returns the DJL model. */
    public Model model() {
        return model;
    }

    /** Returns the network. */
    public CausalLm block() {
        return block;
    }

    /** Returns the config it was built from. */
    public HfConfig config() {
        return config;
    }

    /** Returns the compute precision. */
    public Precision precision() {
        return precision;
    }

    /** Returns the manager that owns the parameters; open per-step sub-managers from it. */
    public NDManager manager() {
        return model.getNDManager();
    }

    @Override
    public void close() {
        model.close();
    }
}
