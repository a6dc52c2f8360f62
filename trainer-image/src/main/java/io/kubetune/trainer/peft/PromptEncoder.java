package io.kubetune.trainer.peft;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * P-tuning's MLP encoder as PEFT builds it (tuners/p_tuning/model.py, MLP type): a table of virtual
 * token inputs {@code [count, hidden]} through Linear-ReLU-Linear-ReLU-Linear back to the hidden
 * width. Only its output is saved, as PEFT saves it: a reloaded adapter is a plain table.
 */
final class PromptEncoder implements PromptEmbeddings.Source {
    /** PEFT's tensor names, as its state dict has them. */
    static final String[] LINEARS = {"mlp_head.0", "mlp_head.2", "mlp_head.4"};

    private final VirtualTokenTable input;
    private final Parameter[] weights = new Parameter[3];
    private final Parameter[] biases = new Parameter[3];

    private PromptEncoder(VirtualTokenTable input, Map<String, NDArray> linears) {
        this.input = input;
        for (int i = 0; i < 3; i++) {
            weights[i] =
                    VirtualTokenTable.trainable(
                            LINEARS[i] + ".weight", linears.get(LINEARS[i] + ".weight"));
            biases[i] =
                    VirtualTokenTable.trainable(
                            LINEARS[i] + ".bias", linears.get(LINEARS[i] + ".bias"));
        }
    }

    /**
     * A fresh encoder as torch initialises one: the table N(0, 1), each linear's weight and bias
     * uniform in ±1/sqrt(fan-in).
     */
    static PromptEncoder initialised(
            int count, int width, int hiddenSize, DataType type, NDManager manager) {
        int[][] shapes = {{hiddenSize, width}, {hiddenSize, hiddenSize}, {width, hiddenSize}};
        Map<String, NDArray> linears = new LinkedHashMap<>();
        for (int i = 0; i < 3; i++) {
            float bound = (float) (1 / Math.sqrt(shapes[i][1]));
            linears.put(
                    LINEARS[i] + ".weight",
                    uniform(manager, bound, new Shape(shapes[i][0], shapes[i][1]), type));
            linears.put(
                    LINEARS[i] + ".bias", uniform(manager, bound, new Shape(shapes[i][0]), type));
        }
        return new PromptEncoder(VirtualTokenTable.random(count, width, type, manager), linears);
    }

    /** An encoder holding PEFT's state dict ({@code embedding.weight}, {@code mlp_head.*}). */
    static PromptEncoder of(Map<String, NDArray> stateDict) {
        return new PromptEncoder(
                VirtualTokenTable.of(stateDict.get("embedding.weight")), stateDict);
    }

    private static NDArray uniform(NDManager manager, float bound, Shape shape, DataType type) {
        return manager.randomUniform(-bound, bound, shape, DataType.FLOAT32).toType(type, false);
    }

    @Override
    public NDArray embeddings(ParameterStore ps, NDManager scope, boolean training) {
        NDArray x = input.rows(ps, scope, training);
        for (int i = 0; i < 3; i++) {
            NDArray w = ps.getValue(weights[i], x.getDevice(), training);
            NDArray b = ps.getValue(biases[i], x.getDevice(), training);
            x = x.getNDArrayInternal().linear(x, w, b).singletonOrThrow();
            if (i < 2) {
                x = x.getNDArrayInternal().relu();
            }
        }
        return x;
    }

    @Override
    public int count() {
        return (int) input.count();
    }

    /** The trainable tensors under PEFT's state dict names. */
    Map<String, Parameter> parameters() {
        Map<String, Parameter> named = new LinkedHashMap<>();
        named.put("embedding.weight", input.weight());
        for (int i = 0; i < 3; i++) {
            named.put(LINEARS[i] + ".weight", weights[i]);
            named.put(LINEARS[i] + ".bias", biases[i]);
        }
        return named;
    }
}
