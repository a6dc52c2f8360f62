package io.kubetune.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import io.kubetune.trainer.model.decoder.AttentionMask;
import io.kubetune.trainer.model.decoder.DecoderBackward;
import io.kubetune.trainer.model.decoder.DecoderConfig;
import io.kubetune.trainer.model.decoder.DecoderLayer;
import io.kubetune.trainer.model.decoder.LayerContext;
import io.kubetune.trainer.model.decoder.PositionEncoding;
import io.kubetune.trainer.model.decoder.PositionEncoding.Positions;
import io.kubetune.trainer.model.io.WeightLayout;
import io.kubetune.trainer.model.layers.LinearLayer;
import io.kubetune.trainer.model.layers.ModuleBlock;
import io.kubetune.trainer.model.layers.Norm;
import io.kubetune.trainer.model.layers.TokenEmbedding;
import java.util.ArrayList;
import java.util.List;

/**
 * The decoder every family shares: token embeddings (plus the family's position encoding), the
 * layers, a final norm, and heads on the hidden states: the LM head (tied to the embeddings or its
 * own {@code lm_head}) and a scalar {@code score} head for reward models. A family contributes only
 * its {@link DecoderConfig} and tensor names ({@link DecoderFamily}).
 */
public final class DecoderLm extends ModuleBlock {

    /** The score head's tensor, as transformers' {@code *ForSequenceClassification} names it. */
    public static final String SCORE_WEIGHT = "score.weight";

    private static final String LM_HEAD_WEIGHT = "lm_head.weight";

    private final DecoderConfig config;
    private final DecoderFamily family;
    private final Heads heads;
    private final TokenEmbedding tokens;
    private final PositionEncoding positions;
    private final List<DecoderLayer> layers = new ArrayList<>();
    private final Norm finalNorm;
    private final LinearLayer lmHead;
    private final LinearLayer scoreHead;
    private final DecoderBackward backward = new DecoderBackward();
    private InputPrefix inputPrefix;

    /**
     * Creates an uninitialized model.
     *
     * @param config the decoder's shape
     * @param family the family, for its tensor names
     * @param heads which heads to carry
     */
    public DecoderLm(DecoderConfig config, DecoderFamily family, Heads heads) {
        this.config = config;
        this.family = family;
        this.heads = heads;
        int hidden = config.hidden();
        tokens = addChildBlock("embed_tokens", new TokenEmbedding(config.vocabSize(), hidden));
        positions = config.positions().create(hidden);
        if (positions instanceof Block block) {
            addChildBlock("positions", block);
        }
        for (int i = 0; i < config.layers(); i++) {
            layers.add(addChildBlock("layer" + i, new DecoderLayer(config, i)));
        }
        finalNorm = addChildBlock("norm", config.norm().create(hidden));
        lmHead =
                heads.languageModel() && !config.tieEmbeddings()
                        ? addChildBlock(
                                "lm_head", new LinearLayer(hidden, config.vocabSize(), false))
                        : null;
        scoreHead =
                heads.hasScore() ? addChildBlock("score", new LinearLayer(hidden, 1, false)) : null;
    }

    /**
     * Runs the decoder up to the hidden states; heads run when the output is asked for them.
     *
     * @param ps the parameter store
     * @param input ids or embeddings, optional padding mask, positions, packing and KV cache
     * @param training whether this pass is differentiated
     * @return the last layer's hidden states after the final norm, with the heads on top
     */
    public ModelOutput forward(ParameterStore ps, ModelInput input, boolean training) {
        PrefixedInput prefixed =
                inputPrefix == null
                        ? PrefixedInput.none(input)
                        : inputPrefix.apply(ps, this, input, training);
        ModelInput in = prefixed.input();
        NDArray h =
                in.inputEmbeds() != null ? in.inputEmbeds() : embed(ps, in.inputIds(), training);
        Positions encoded = positions.at(ps, in.positions(), h.getDataType(), training);
        h = encoded.embed(h);
        NDArray bias = AttentionMask.bias(in, h.getDataType(), config.attention().slidingWindow());
        if (prefixed.past() != null) {
            if (backward.checkpointing() && training) {
                // The rerun layers would not send gradients to the prefix (PEFT refuses it too).
                throw new IllegalStateException(
                        "prefix tuning cannot train with gradient checkpointing; turn it off");
            }
            bias = prefixed.past().widen(bias);
        }
        LayerContext ctx =
                new LayerContext(ps, bias, encoded, in.cache(), training, prefixed.past());
        h = backward.forward(layers, layerLinears(), ctx, h);
        NDArray hidden = finalNorm.forward(ps, h, training);
        int virtual = prefixed.virtualPositions();
        if (virtual == 0) {
            return new ModelOutput(this, ps, input, hidden, null, training);
        }
        // The caller sees its own positions; the last virtual one predicts its first token.
        NDArray own = hidden.get(new NDIndex(":, {}:", virtual));
        NDArray lead = hidden.get(new NDIndex(":, {}:{}", virtual - 1, virtual));
        return new ModelOutput(this, ps, input, own, lead, training);
    }

    /**
     * Puts a prompt-learning method's virtual tokens before every input from now on, or none.
     *
     * @param prefix the method's prefix, or null
     */
    public void setInputPrefix(InputPrefix prefix) {
        inputPrefix = prefix;
    }

    /** Returns the prompt-learning prefix every pass gets, or null. */
    public InputPrefix inputPrefix() {
        return inputPrefix;
    }

    /**
     * Returns how the backward of training passes goes through the layers: whoever trains runs each
     * pass's backward through it.
     */
    public DecoderBackward layerBackward() {
        return backward;
    }

    /** Runs the decoder and the LM head: logits {@code [batch, seq, vocab]}. */
    public NDArray logits(ParameterStore ps, ModelInput input, boolean training) {
        return forward(ps, input, training).logits();
    }

    /** Looks up token embeddings {@code [batch, seq, hidden]}, the input embeddings of ids. */
    public NDArray embed(ParameterStore ps, NDArray ids, boolean training) {
        return tokens.forward(ps, ids, training);
    }

    /** Applies the LM head to hidden states. */
    NDArray applyLmHead(ParameterStore ps, NDArray hidden, boolean training) {
        if (!heads.languageModel()) {
            throw new IllegalStateException(
                    "this " + config.family() + " model was loaded without its LM head");
        }
        if (lmHead != null) {
            return lmHead.forward(ps, hidden, training);
        }
        NDArray table = tokens.table(ps, hidden, training);
        return hidden.getNDArrayInternal().linear(hidden, table, null).singletonOrThrow();
    }

    /**
     * Returns the LM head's weight {@code [vocab, hidden]} when the head is a plain projection by
     * it (tied or {@code lm_head}, no adapter on it), else null: a loss may then project hidden
     * states itself, in chunks.
     */
    NDArray lmHeadWeight(ParameterStore ps, NDArray like, boolean training) {
        if (!heads.languageModel()) {
            throw new IllegalStateException(
                    "this " + config.family() + " model was loaded without its LM head");
        }
        if (lmHead == null) {
            return tokens.table(ps, like, training);
        }
        return lmHead.adapter() == null
                ? ps.getValue(lmHead.weight(), like.getDevice(), training)
                : null;
    }

    /** Applies the score head to hidden states: {@code [batch, seq]}. */
    NDArray applyScoreHead(ParameterStore ps, NDArray hidden, boolean training) {
        if (scoreHead == null) {
            throw new IllegalStateException(
                    "this " + config.family() + " model was loaded without a score head");
        }
        NDArray scores = scoreHead.forward(ps, hidden, training);
        Shape shape = hidden.getShape();
        return scores.reshape(shape.get(0), shape.get(1));
    }

    /** Returns every parameter with the checkpoint tensor that fills it. */
    public List<WeightBinding> weightBindings() {
        List<WeightBinding> out = new ArrayList<>(family.bodyBindings(this));
        if (lmHead != null) {
            out.add(WeightBinding.of(lmHead.weight(), LM_HEAD_WEIGHT));
        }
        if (scoreHead != null) {
            NormalInitializer fresh = new NormalInitializer((float) config.initializerRange());
            out.add(
                    new WeightBinding(
                            scoreHead.weight(),
                            List.of(SCORE_WEIGHT),
                            WeightLayout.AS_IS,
                            heads.score() == Heads.ScoreHead.LOAD_OR_NEW ? fresh : null));
        }
        return out;
    }

    /** Returns the linear layers inside the decoder layers: what a quantized base quantizes. */
    public List<LinearLayer> layerLinears() {
        List<LinearLayer> out = new ArrayList<>();
        layers.forEach(layer -> collectLinears(layer, out));
        return out;
    }

    private static void collectLinears(Block block, List<LinearLayer> out) {
        if (block instanceof LinearLayer linear) {
            out.add(linear);
        }
        block.getChildren().values().forEach(child -> collectLinears(child, out));
    }

    /** Returns the number of decoder layers (one KV cache entry each). */
    public int numLayers() {
        return config.layers();
    }

    /** Returns the vocabulary size (the logits' last axis). */
    public long vocabSize() {
        return config.vocabSize();
    }

    /** Returns the hidden width (the hidden states' last axis). */
    public int hiddenSize() {
        return config.hidden();
    }

    /** Returns the family's name, as {@code model_type} spells it. */
    public String family() {
        return config.family();
    }

    /** Returns the decoder's shape. */
    public DecoderConfig config() {
        return config;
    }

    /** Returns the heads it carries. */
    public Heads heads() {
        return heads;
    }

    /** Returns the token embeddings. */
    public TokenEmbedding tokens() {
        return tokens;
    }

    /** Returns the position encoding. */
    public PositionEncoding positions() {
        return positions;
    }

    /** Returns the layers, in order. */
    public List<DecoderLayer> layers() {
        return layers;
    }

    /** Returns the final norm. */
    public Norm finalNorm() {
        return finalNorm;
    }

    /** Returns the untied LM head, or null when tied to the embeddings or absent. */
    public LinearLayer lmHead() {
        return lmHead;
    }

    /** Returns the score head ({@code [1, hidden]}), or null when absent. */
    public LinearLayer scoreHead() {
        return scoreHead;
    }

    /** Reads {@code (input_ids[, attention_mask])} and returns {@code (logits)}. */
    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        ModelInput input = ModelInput.of(inputs.get(0));
        if (inputs.size() > 1) {
            input = input.withAttentionMask(inputs.get(1));
        }
        return new NDList(logits(ps, input, training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0].add(vocabSize())};
    }
}
