package io.kubetune.trainer.model.layers;

import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import io.kubetune.trainer.model.PendingBackwards;
import java.util.ArrayList;
import java.util.List;

/**
 * The backward of frozen quantized linear layers as bitsandbytes does it: the forward keeps only
 * the codes, and the backward dequantizes the weight again to send {@code dy W} to the input.
 * Autograd would otherwise keep every layer's dequantized weight until the backward, so a quantized
 * base peaked higher than a dense one.
 *
 * <p>DJL has no custom autograd functions, so, as {@link
 * io.kubetune.trainer.model.decoder.CheckpointedLayers} does for whole layers, each such linear
 * computes {@code y} without recording and hands autograd a leaf standing for it. {@link
 * io.kubetune.trainer.model.decoder.LayerScopedBackward} takes each decoder layer's linears with
 * {@link #takePending()} and runs them, latest first, after that layer's output got its gradient,
 * so a leaf has all its gradient before its turn. Linears reading one input (q, k, v; gate, up)
 * share one input leaf and one backward through what produced their input.
 */
public final class QuantizedLinearBackward {

    private record Pending(
            LinearLayer layer,
            ParameterStore ps,
            NDArray input,
            NDArray leafInput,
            NDArray output) {}

    /**
     * A deferred linear's output leaf, and the input its adapter should read: a leaf too, so that
     * the backward from the layer's output stops there rather than go on upstream, which this
     * linear's own backward does once, with both gradients summed.
     */
    public record Deferred(NDArray input, NDArray output) {}

    private final PendingBackwards<Pending> pending =
            new PendingBackwards<>(
                    (later, earlier) -> later.input == earlier.input,
                    QuantizedLinearBackward::backward);

    private NDArray sharedInput;
    private NDArray sharedLeaf;

    /** {@code x W^T + b} with nothing of {@code W} kept for the backward. */
    Deferred forward(
            LinearLayer layer, ParameterStore ps, NDArray x, NDArray bias, boolean adapted) {
        NDArray y;
        boolean recording = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDManager pass = x.getManager().newSubManager()) {
            NDArray w = dequantized(layer, ps, x, pass);
            y = x.getNDArrayInternal().linear(x, w, bias).singletonOrThrow();
            y.attach(x.getManager());
        } finally {
            JniUtils.setGradMode(recording);
        }
        y.setRequiresGradient(true);
        NDArray leafInput = adapted ? leafInput(x) : null;
        pending.push(new Pending(layer, ps, x, leafInput, y));
        return new Deferred(leafInput == null ? x : leafInput, y);
    }

    // One leaf per input read by adapted linears in a row: one gradient for q, k and v's adapters.
    private NDArray leafInput(NDArray x) {
        if (x != sharedInput) {
            sharedInput = x;
            sharedLeaf = x.stopGradient();
            sharedLeaf.attach(x.getManager());
            sharedLeaf.setRequiresGradient(true);
        }
        return sharedLeaf;
    }

    /** Returns whether linears wait for their backward. */
    public boolean hasPending() {
        return !pending.isEmpty();
    }

    /**
     * Returns the linears deferred since the last call, as a queue whose {@link
     * PendingBackwards#runAll()} sends each output's gradient through its dequantized weight into
     * its input; this one is left empty.
     */
    public PendingBackwards<?> takePending() {
        forgetSharedLeaf();
        return pending.takeAll();
    }

    /** Forgets linears whose backward will not run (an evaluation, a failed step). */
    public void clear() {
        pending.clear();
        forgetSharedLeaf();
    }

    private void forgetSharedLeaf() {
        sharedInput = null;
        sharedLeaf = null;
    }

    // The weight and every intermediate of its dequantization belong to `pass`, freed with it.
    private static NDArray dequantized(
            LinearLayer layer, ParameterStore ps, NDArray like, NDManager pass) {
        NDArray scoped = pass.zeros(new Shape(1), like.getDataType());
        return layer.storage().dense(ps, scoped, true);
    }

    // Linears of one input, the latest first: one backward through what produced their input.
    private static void backward(List<Pending> group) {
        Pending first = group.get(0);
        try (NDManager pass = first.input.getManager().newSubManager()) {
            NDArray dx = inputGradient(group, pass);
            if (dx != null) {
                try {
                    JniUtils.backward((PtNDArray) first.input, (PtNDArray) dx, true, false);
                } catch (EngineException outsideAnyGraph) {
                    // an input nothing trainable led to (the first layer's, frozen embeddings)
                }
            }
        }
        // Nothing reads these after their backward: free them with their gradients now.
        group.forEach(p -> p.output.close());
        leaves(group).forEach(NDArray::close);
    }

    // The sum of each dy W and the adapters' leaf gradient, each term freed as soon as it is added
    // (the backward runs while the layers below still hold their activations: the step's peak).
    private static NDArray inputGradient(List<Pending> group, NDManager pass) {
        NDArray dx = null;
        boolean recording = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            for (Pending p : group) {
                if (!p.output.hasGradient()) {
                    continue;
                }
                try (NDManager term = pass.newSubManager()) {
                    NDArray dy = p.output.getGradient();
                    dy.attach(term);
                    NDArray part = dy.matMul(dequantized(p.layer, p.ps, dy, term));
                    dx = accumulate(dx, part, pass);
                }
            }
            for (NDArray leaf : leaves(group)) {
                if (leaf.hasGradient()) {
                    try (NDManager term = pass.newSubManager()) {
                        NDArray viaAdapters = leaf.getGradient();
                        viaAdapters.attach(term);
                        dx = accumulate(dx, viaAdapters, pass);
                    }
                }
            }
        } finally {
            JniUtils.setGradMode(recording);
        }
        return dx;
    }

    private static NDArray accumulate(NDArray sum, NDArray term, NDManager owner) {
        if (sum == null) {
            term.attach(owner);
            return term;
        }
        return sum.addi(term);
    }

    // The group's input leaves, each once (adapted linears in a row share one).
    private static List<NDArray> leaves(List<Pending> group) {
        List<NDArray> out = new ArrayList<>();
        for (Pending p : group) {
            if (p.leafInput != null && out.stream().noneMatch(l -> l == p.leafInput)) {
                out.add(p.leafInput);
            }
        }
        return out;
    }
}
