package io.kubetune.trainer.model.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.ParameterStore;
import io.kubetune.trainer.model.AttentionMask;
import io.kubetune.trainer.model.CausalLm;
import io.kubetune.trainer.model.ModelInput;
import io.kubetune.trainer.model.WeightBinding;
import io.kubetune.trainer.model.io.HfConfig;
import io.kubetune.trainer.model.layers.LinearLayer;
import io.kubetune.trainer.model.layers.RmsNorm;
import io.kubetune.trainer.model.layers.TokenEmbedding;
import java.util.ArrayList;
import java.util.List;

/**
 * Llama ({@code LlamaForCausalLM}) and the families of its shape: Qwen2 (q/k/v biases) and Mistral
 * (sliding window), told apart by {@link LlamaConfig}'s flags.
 */
public final class LlamaModel extends CausalLm {

    private final LlamaConfig config;
    private final RotaryEmbedding rope;
    private final TokenEmbedding tokens;
    private final List<LlamaLayer> layers = new ArrayList<>();
    private final RmsNorm finalNorm;
    private final LinearLayer lmHead;

    /** Creates an uninitialized model. */
    public LlamaModel(LlamaConfig config) {
        this.config = config;
        rope = new RotaryEmbedding(config.rope());
        tokens =
                addChildBlock(
                        "embed_tokens", new TokenEmbedding(config.vocabSize(), config.hidden()));
        for (int i = 0; i < config.layers(); i++) {
            layers.add(addChildBlock("layer" + i, new LlamaLayer(config, i)));
        }
        finalNorm = addChildBlock("norm", new RmsNorm(config.hidden(), config.rmsNormEps()));
        lmHead =
                config.tieEmbeddings()
                        ? null
                        : addChildBlock(
                                "lm_head",
                                new LinearLayer(config.hidden(), config.vocabSize(), false));
    }

    /** Creates a model from a {@code config.json} of a Llama-shaped family. */
    public static LlamaModel fromConfig(HfConfig config) {
        return new LlamaModel(LlamaConfig.from(config));
    }

    @Override
    public NDArray forward(ParameterStore ps, ModelInput input, boolean training) {
        NDArray h = tokens.forward(ps, input.inputIds(), training);
        NDList angles = rope.angles(input.positions(), h.getDataType());
        NDArray bias = AttentionMask.bias(input, h.getDataType(), config.slidingWindow());
        for (LlamaLayer layer : layers) {
            h = layer.forward(ps, h, rope, angles, bias, input.cache(), training);
        }
        h = finalNorm.forward(ps, h, training);
        if (lmHead != null) {
            return lmHead.forward(ps, h, training);
        }
        NDArray table = tokens.table(ps, h, training);
        return h.getNDArrayInternal().linear(h, table, null).singletonOrThrow();
    }

    @Override
    public List<WeightBinding> weightBindings() {
        return LlamaWeightNames.bindings(this);
    }

    @Override
    public int numLayers() {
        return config.layers();
    }

    @Override
    public long vocabSize() {
        return config.vocabSize();
    }

    @Override
    public String family() {
        return config.family();
    }

    /** Returns the config. */
    public LlamaConfig config() {
        return config;
    }

    TokenEmbedding tokens() {
        return tokens;
    }

    List<LlamaLayer> layers() {
        return layers;
    }

    RmsNorm finalNorm() {
        return finalNorm;
    }

    LinearLayer lmHead() {
        return lmHead;
    }
}
