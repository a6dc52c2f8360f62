package io.kubetune.trainer.model.gpt2;

import ai.djl.ndarray.NDArray;
import ai.djl.training.ParameterStore;
import io.kubetune.trainer.model.AttentionMask;
import io.kubetune.trainer.model.CausalLm;
import io.kubetune.trainer.model.ModelInput;
import io.kubetune.trainer.model.WeightBinding;
import io.kubetune.trainer.model.io.HfConfig;
import io.kubetune.trainer.model.layers.LayerNormLayer;
import io.kubetune.trainer.model.layers.TokenEmbedding;
import java.util.ArrayList;
import java.util.List;

/**
 * GPT-2 ({@code GPT2LMHeadModel}): learned positions, LayerNorm, GELU, and an output layer tied to
 * the token embeddings.
 */
public final class Gpt2Model extends CausalLm {

    private final Gpt2Config config;
    private final TokenEmbedding tokens;
    private final TokenEmbedding positions;
    private final List<Gpt2Layer> layers = new ArrayList<>();
    private final LayerNormLayer finalNorm;

    /** Creates an uninitialized model. */
    public Gpt2Model(Gpt2Config config) {
        this.config = config;
        tokens = addChildBlock("wte", new TokenEmbedding(config.vocabSize(), config.width()));
        positions = addChildBlock("wpe", new TokenEmbedding(config.positions(), config.width()));
        for (int i = 0; i < config.layers(); i++) {
            layers.add(addChildBlock("h" + i, new Gpt2Layer(config, i)));
        }
        finalNorm =
                addChildBlock("ln_f", new LayerNormLayer(config.width(), config.layerNormEps()));
    }

    /** Creates a model from a {@code config.json} with {@code model_type} gpt2. */
    public static Gpt2Model fromConfig(HfConfig config) {
        return new Gpt2Model(Gpt2Config.from(config));
    }

    @Override
    public NDArray forward(ParameterStore ps, ModelInput input, boolean training) {
        NDArray ids = input.inputIds();
        NDArray h =
                tokens.forward(ps, ids, training)
                        .add(positions.forward(ps, input.positions(), training));
        NDArray bias = AttentionMask.bias(input, h.getDataType(), 0);
        for (Gpt2Layer layer : layers) {
            h = layer.forward(ps, h, bias, input.cache(), training);
        }
        h = finalNorm.forward(ps, h, training);
        NDArray table = tokens.table(ps, h, training);
        return h.getNDArrayInternal().linear(h, table, null).singletonOrThrow();
    }

    @Override
    public List<WeightBinding> weightBindings() {
        return Gpt2WeightNames.bindings(this);
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
        return "gpt2";
    }

    /** Returns the config. */
    public Gpt2Config config() {
        return config;
    }

    TokenEmbedding tokens() {
        return tokens;
    }

    TokenEmbedding positions() {
        return positions;
    }

    List<Gpt2Layer> layers() {
        return layers;
    }

    LayerNormLayer finalNorm() {
        return finalNorm;
    }
}
