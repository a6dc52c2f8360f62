package io.kubetune.trainer.model;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.kubetune.trainer.model.io.Checkpoint;
import io.kubetune.trainer.model.io.HfConfig;
import io.kubetune.trainer.model.weights.Quantizer;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A decoder ready to run: its DJL {@link Model} (which owns the parameters' memory), the block, its
 * config, and the precision it computes in.
 */
public final class PretrainedModel implements AutoCloseable {

    private final Model model;
    private final DecoderLm block;
    private final HfConfig config;
    private final Precision precision;

    private PretrainedModel(Model model, DecoderLm block, HfConfig config, Precision precision) {
        this.model = model;
        this.block = block;
        this.config = config;
        this.precision = precision;
    }

    /**
     * Loads a Hugging Face model folder as a causal LM.
     *
     * @param modelDir holds {@code config.json} and the safetensors checkpoint
     * @param device where to compute
     * @param precision the compute type
     * @return the loaded model; close it to free its memory
     * @throws IOException if a file cannot be read
     */
    public static PretrainedModel load(Path modelDir, Device device, Precision precision)
            throws IOException {
        return load(modelDir, device, precision, Heads.LM);
    }

    /**
     * Loads a Hugging Face model folder with the heads the caller needs.
     *
     * @param modelDir holds {@code config.json} and the safetensors checkpoint
     * @param device where to compute
     * @param precision the compute type
     * @param heads the heads: {@link Heads#LM}, {@link Heads#REWARD_MODEL} (refuses a checkpoint
     *     without {@code score.weight}), {@link Heads#NEW_REWARD_MODEL}
     * @return the loaded model; close it to free its memory
     * @throws IOException if a file cannot be read
     */
    public static PretrainedModel load(
            Path modelDir, Device device, Precision precision, Heads heads) throws IOException {
        return load(modelDir, device, precision, heads, null);
    }

    /**
     * Loads a Hugging Face model folder with its decoder layers' linear weights quantized.
     *
     * @param quantizer how to hold the frozen linear weights, or null for dense
     */
    public static PretrainedModel load(
            Path modelDir, Device device, Precision precision, Heads heads, Quantizer quantizer)
            throws IOException {
        precision.checkSupportedOn(device);
        HfConfig config = HfConfig.read(modelDir.resolve("config.json"));
        DecoderLm block = ArchitectureRegistry.standard().create(config, heads);
        Model model = Model.newInstance(modelDir.getFileName().toString(), device);
        try (Checkpoint checkpoint = Checkpoint.open(modelDir)) {
            if (heads.score() == Heads.ScoreHead.LOAD
                    && !checkpoint.contains(DecoderLm.SCORE_WEIGHT)) {
                throw new IllegalArgumentException(
                        modelDir
                                + " is not a reward model: its checkpoint has no "
                                + DecoderLm.SCORE_WEIGHT
                                + " (the score head of a *ForSequenceClassification model with"
                                + " num_labels 1); point at a model trained with stage rm");
            }
            WeightLoader.load(
                    block, checkpoint, model.getNDManager(), precision.dataType(), quantizer);
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
        DecoderLm block = ArchitectureRegistry.standard().create(config);
        Model model = Model.newInstance(config.modelType(), device);
        block.initialize(model.getNDManager(), precision.dataType(), new Shape(1, 1));
        return wrap(model, block, config, precision);
    }

    private static PretrainedModel wrap(
            Model model, DecoderLm block, HfConfig config, Precision precision) {
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
    public DecoderLm block() {
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
