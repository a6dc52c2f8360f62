package io.kubetune.trainer.model.layers;

import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import io.kubetune.trainer.model.PendingBackwards;

/**
 * The backward of frozen quantized linear layers as bitsandbytes does it: the forward keeps only
 * the codes, and the backward dequantizes the weight again to send {@code dy W} to the input.
 * Autograd would otherwise keep every layer's dequantized weight until the backward, so a quantized
 * base peaked higher than a dense one.
 *
 * <p>DJL has no custom autograd functions, so, as {@link
 * io.kubetune.trainer.model.decoder.CheckpointedLayers} does for whole layers, each such linear
 * computes {@code y} without recording and hands autograd a leaf standing for it; {@link
 * #backward()} (after the loss's backward, which must keep the graph) walks the layers back, latest
 * first, so a leaf has all its gradient before its turn.
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
     * the loss's backward stops there rather than go on upstream, which this linear's own backward
     * does once, with both gradients summed (otherwise each linear would walk everything before
     * it).
     */
    public record Deferred(NDArray input, NDArray output) {}

    private final PendingBackwards<Pending> pending =
            new PendingBackwards<>(QuantizedLinearBackward::backward);

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
        NDArray leafInput = null;
        if (adapted) {
            leafInput = x.stopGradient();
            leafInput.attach(x.getManager());
            leafInput.setRequiresGradient(true);
        }
        pending.push(new Pending(layer, ps, x, leafInput, y));
        return new Deferred(leafInput == null ? x : leafInput, y);
    }

    /**
     * Returns whether linears wait for their backward (the loss's backward must keep the graph).
     */
    public boolean hasPending() {
        return !pending.isEmpty();
    }

    /** Sends each pending output's gradient through its dequantized weight into its input. */
    public void backward() {
        pending.runAll();
    }

    /** Forgets linears whose backward will not run (an evaluation, a failed step). */
    public void clear() {
        pending.clear();
    }

    // The weight and every intermediate of its dequantization belong to `pass`, freed with it.
    private static NDArray dequantized(
            LinearLayer layer, ParameterStore ps, NDArray like, NDManager pass) {
        NDArray scoped = pass.zeros(new Shape(1), like.getDataType());
        return layer.storage().dense(ps, scoped, true);
    }

    private static void backward(Pending p) {
        if (!p.output.hasGradient()) {
            return;
        }
        NDManager scope = p.input.getManager();
        try (NDManager pass = scope.newSubManager()) {
            NDArray dy = p.output.getGradient();
            dy.attach(pass);
            NDArray dx;
            boolean recording = JniUtils.isGradMode();
            JniUtils.setGradMode(false);
            try {
                NDArray w = dequantized(p.layer, p.ps, dy, pass);
                dx = dy.matMul(w);
                dx.attach(pass);
                if (p.leafInput != null && p.leafInput.hasGradient()) {
                    NDArray viaAdapter = p.leafInput.getGradient();
                    viaAdapter.attach(pass);
                    dx = dx.add(viaAdapter);
                }
            } finally {
                JniUtils.setGradMode(recording);
            }
            try {
                JniUtils.backward((PtNDArray) p.input, (PtNDArray) dx, true, false);
            } catch (EngineException outsideAnyGraph) {
                // an input nothing trainable led to (the first layer's, frozen embeddings)
            }
        }
        // Nothing reads these after their backward: free them with their gradients now.
        p.output.close();
        if (p.leafInput != null) {
            p.leafInput.close();
        }
    }
}
