package io.kubetune.trainer.peft;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code torch.nn.LSTM(bidirectional=True)} over one sequence, as P-tuning's LSTM encoder runs it
 * on its virtual tokens: per layer and direction, gates {@code i, f, g, o} from {@code x W_ih^T +
 * b_ih + h W_hh^T + b_hh}, {@code c = f c + i g}, {@code h = o tanh(c)}, from zero states; a
 * layer's output is both directions' hidden states side by side. Written out step by step (the
 * sequences are a few virtual tokens) so the weights keep torch's names and layout.
 */
final class BidirectionalLstm {
    private final int layers;
    private final int hidden;
    private final Map<String, Parameter> parameters = new LinkedHashMap<>();

    /**
     * @param stateDict torch's tensors without the module prefix: {@code weight_ih_l0}, {@code
     *     weight_hh_l0_reverse}, ...
     */
    BidirectionalLstm(Map<String, NDArray> stateDict, int layers) {
        this.layers = layers;
        this.hidden = (int) stateDict.get("weight_hh_l0").getShape().get(1);
        for (int layer = 0; layer < layers; layer++) {
            for (String direction : new String[] {"", "_reverse"}) {
                for (String kind : new String[] {"weight_ih", "weight_hh", "bias_ih", "bias_hh"}) {
                    String name = kind + "_l" + layer + direction;
                    NDArray values = stateDict.get(name);
                    if (values == null) {
                        throw new IllegalArgumentException("the LSTM encoder lacks " + name);
                    }
                    parameters.put(name, VirtualTokenTable.trainable(name, values));
                }
            }
        }
    }

    /** Torch's initialisation: everything uniform in ±1/sqrt(hidden). */
    static Map<String, NDArray> initialState(
            int input, int hidden, int layers, DataType type, NDManager manager) {
        float bound = (float) (1 / Math.sqrt(hidden));
        Map<String, NDArray> state = new LinkedHashMap<>();
        for (int layer = 0; layer < layers; layer++) {
            int in = layer == 0 ? input : 2 * hidden;
            for (String direction : new String[] {"", "_reverse"}) {
                String l = "_l" + layer + direction;
                state.put(
                        "weight_ih" + l, uniform(manager, bound, new Shape(4L * hidden, in), type));
                state.put(
                        "weight_hh" + l,
                        uniform(manager, bound, new Shape(4L * hidden, hidden), type));
                state.put("bias_ih" + l, uniform(manager, bound, new Shape(4L * hidden), type));
                state.put("bias_hh" + l, uniform(manager, bound, new Shape(4L * hidden), type));
            }
        }
        return state;
    }

    private static NDArray uniform(NDManager manager, float bound, Shape shape, DataType type) {
        return manager.randomUniform(-bound, bound, shape, DataType.FLOAT32).toType(type, false);
    }

    /** Runs {@code x [steps, input]}; returns {@code [steps, 2 hidden]}, in {@code x}'s manager. */
    NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        NDArray out = x;
        for (int layer = 0; layer < layers; layer++) {
            NDArray forward = direction(ps, out, "_l" + layer, false, training);
            NDArray backward = direction(ps, out, "_l" + layer + "_reverse", true, training);
            out = forward.concat(backward, 1);
        }
        return out;
    }

    private NDArray direction(
            ParameterStore ps, NDArray x, String suffix, boolean reverse, boolean training) {
        NDArray wIh = value(ps, "weight_ih" + suffix, x, training);
        NDArray wHh = value(ps, "weight_hh" + suffix, x, training);
        NDArray bIh = value(ps, "bias_ih" + suffix, x, training);
        NDArray bHh = value(ps, "bias_hh" + suffix, x, training);
        // The input's part of every step's gates at once: [steps, 4 hidden].
        NDArray inputGates = x.getNDArrayInternal().linear(x, wIh, bIh).singletonOrThrow();
        int steps = (int) x.getShape().get(0);
        NDManager scope = x.getManager();
        NDArray h = scope.zeros(new Shape(1, hidden), x.getDataType());
        NDArray c = scope.zeros(new Shape(1, hidden), x.getDataType());
        NDArray[] outputs = new NDArray[steps];
        for (int i = 0; i < steps; i++) {
            int t = reverse ? steps - 1 - i : i;
            NDArray gates =
                    inputGates
                            .get(new NDIndex("{}:{}", t, t + 1))
                            .add(h.getNDArrayInternal().linear(h, wHh, bHh).singletonOrThrow());
            NDArray in = gate(gates, 0).getNDArrayInternal().sigmoid();
            NDArray forget = gate(gates, 1).getNDArrayInternal().sigmoid();
            NDArray cell = gate(gates, 2).tanh();
            NDArray out = gate(gates, 3).getNDArrayInternal().sigmoid();
            c = forget.mul(c).add(in.mul(cell));
            h = out.mul(c.tanh());
            outputs[t] = h;
        }
        return NDArrays.concat(new NDList(outputs), 0);
    }

    private NDArray gate(NDArray gates, int index) {
        return gates.get(new NDIndex(":, {}:{}", index * hidden, (index + 1) * hidden));
    }

    private NDArray value(ParameterStore ps, String name, NDArray like, boolean training) {
        return ps.getValue(parameters.get(name), like.getDevice(), training);
    }

    /** The trainable tensors under torch's names. */
    Map<String, Parameter> parameters() {
        return parameters;
    }
}
