package io.kubetune.trainer.peft;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import io.kubetune.api.v1alpha1.PromptLearningSpec.Encoder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * P-tuning's encoder as PEFT builds it (tuners/p_tuning/model.py): a table of virtual token inputs
 * {@code [count, hidden]} through, for MLP, Linear-ReLU-Linear-ReLU-Linear back to the hidden
 * width; for LSTM, a 2-layer bidirectional LSTM then Linear-ReLU-Linear. Only its output is saved,
 * as PEFT saves it: a reloaded adapter is a plain table.
 */
final class PromptEncoder implements PromptEmbeddings.Source {
    private static final List<String> MLP = List.of("mlp_head.0", "mlp_head.2", "mlp_head.4");
    private static final List<String> AFTER_LSTM = List.of("mlp_head.0", "mlp_head.2");
    private static final String LSTM_PREFIX = "lstm_head.";

    /** PEFT's encoder_num_layers default, the only depth its config writes for us. */
    static final int LSTM_LAYERS = 2;

    private final VirtualTokenTable input;
    private final BidirectionalLstm lstm;
    private final List<String> linears;
    private final Map<String, Parameter> parameters = new LinkedHashMap<>();

    private PromptEncoder(Map<String, NDArray> stateDict, Encoder type) {
        input = VirtualTokenTable.of(stateDict.get("embedding.weight"));
        parameters.put("embedding.weight", input.weight());
        if (type == Encoder.LSTM) {
            Map<String, NDArray> lstmState = new LinkedHashMap<>();
            stateDict.forEach(
                    (name, values) -> {
                        if (name.startsWith(LSTM_PREFIX)) {
                            lstmState.put(name.substring(LSTM_PREFIX.length()), values);
                        }
                    });
            lstm = new BidirectionalLstm(lstmState, LSTM_LAYERS);
            lstm.parameters().forEach((name, p) -> parameters.put(LSTM_PREFIX + name, p));
            linears = AFTER_LSTM;
        } else {
            lstm = null;
            linears = MLP;
        }
        for (String linear : linears) {
            for (String kind : new String[] {".weight", ".bias"}) {
                NDArray values = stateDict.get(linear + kind);
                if (values == null) {
                    throw new IllegalArgumentException(
                            "the P-tuning encoder lacks " + linear + kind);
                }
                parameters.put(linear + kind, VirtualTokenTable.trainable(linear + kind, values));
            }
        }
    }

    /**
     * A fresh encoder as torch initialises one: the table N(0, 1), each linear's weight and bias
     * uniform in ±1/sqrt(fan-in), the LSTM's uniform in ±1/sqrt(hidden).
     */
    static PromptEncoder initialised(
            Encoder type, int count, int width, int hiddenSize, DataType dataType, NDManager m) {
        Map<String, NDArray> state = new LinkedHashMap<>();
        state.put(
                "embedding.weight",
                m.randomNormal(0f, 1f, new Shape(count, width), DataType.FLOAT32)
                        .toType(dataType, false));
        int[][] shapes;
        if (type == Encoder.LSTM) {
            BidirectionalLstm.initialState(width, hiddenSize, LSTM_LAYERS, dataType, m)
                    .forEach((name, values) -> state.put(LSTM_PREFIX + name, values));
            shapes = new int[][] {{2 * hiddenSize, 2 * hiddenSize}, {width, 2 * hiddenSize}};
        } else {
            shapes =
                    new int[][] {
                        {hiddenSize, width}, {hiddenSize, hiddenSize}, {width, hiddenSize}
                    };
        }
        List<String> names = type == Encoder.LSTM ? AFTER_LSTM : MLP;
        for (int i = 0; i < shapes.length; i++) {
            float bound = (float) (1 / Math.sqrt(shapes[i][1]));
            state.put(
                    names.get(i) + ".weight",
                    uniform(m, bound, new Shape(shapes[i][0], shapes[i][1]), dataType));
            state.put(names.get(i) + ".bias", uniform(m, bound, new Shape(shapes[i][0]), dataType));
        }
        return new PromptEncoder(state, type);
    }

    /** An encoder holding PEFT's state dict ({@code embedding.weight}, {@code mlp_head.*}, ...). */
    static PromptEncoder of(Map<String, NDArray> stateDict) {
        boolean lstm = stateDict.keySet().stream().anyMatch(n -> n.startsWith(LSTM_PREFIX));
        return new PromptEncoder(stateDict, lstm ? Encoder.LSTM : Encoder.MLP);
    }

    private static NDArray uniform(NDManager manager, float bound, Shape shape, DataType type) {
        return manager.randomUniform(-bound, bound, shape, DataType.FLOAT32).toType(type, false);
    }

    @Override
    public NDArray embeddings(ParameterStore ps, NDManager scope, boolean training) {
        NDArray x = input.rows(ps, scope, training);
        if (lstm != null) {
            x = lstm.forward(ps, x, training);
        }
        for (int i = 0; i < linears.size(); i++) {
            NDArray w =
                    ps.getValue(
                            parameters.get(linears.get(i) + ".weight"), x.getDevice(), training);
            NDArray b =
                    ps.getValue(parameters.get(linears.get(i) + ".bias"), x.getDevice(), training);
            x = x.getNDArrayInternal().linear(x, w, b).singletonOrThrow();
            if (i < linears.size() - 1) {
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
        return parameters;
    }
}
