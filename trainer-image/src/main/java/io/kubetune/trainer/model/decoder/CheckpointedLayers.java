package io.kubetune.trainer.model.decoder;

import ai.djl.engine.Engine;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import io.kubetune.trainer.model.PendingBackwards;
import java.util.ArrayList;
import java.util.List;

/**
 * Activation (gradient) checkpointing per decoder layer, as transformers' {@code
 * gradient_checkpointing_enable()}: the forward pass keeps only each layer's input, and the
 * backward pass reruns one layer at a time with gradients recorded, then sends the output's
 * gradient through it.
 *
 * <p>DJL has no custom autograd functions, so the backward is driven here: the loss's own backward
 * stops at a leaf standing for the last layer's output, and {@link #backward()} (called by the
 * training loop right after it) walks the layers back with libtorch's {@code backward(tensor,
 * grad)}. Each layer runs in its own memory scope, so only one layer's activations are alive at a
 * time. Dropout draws the same masks in both runs of a layer (a seed per layer, itself drawn from
 * the step's seed).
 */
public final class CheckpointedLayers {

    /** One checkpointed pass, waiting for its backward. */
    private record Pass(
            List<DecoderLayer> layers,
            LayerContext ctx,
            NDArray source,
            List<NDArray> inputs,
            long[] seeds,
            NDArray output) {}

    private final PendingBackwards<Pass> pending = new PendingBackwards<>(this::backward);

    /**
     * Runs the layers without recording gradients, keeping their inputs.
     *
     * @param x the first layer's input, possibly attached to a graph (trained embeddings)
     * @return the last layer's output as a leaf that records its gradient
     */
    public NDArray forward(List<DecoderLayer> layers, LayerContext ctx, NDArray x) {
        NDManager scope = x.getManager();
        List<NDArray> inputs = new ArrayList<>();
        long[] seeds = new long[layers.size()];
        NDArray h = x.stopGradient();
        boolean recording = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            for (int i = 0; i < layers.size(); i++) {
                inputs.add(h);
                seeds[i] =
                        scope.randomInteger(0, Integer.MAX_VALUE, new Shape(), DataType.INT64)
                                .getLong();
                h = replay(layers.get(i), ctx, h, seeds[i]);
            }
        } finally {
            JniUtils.setGradMode(recording);
        }
        h.setRequiresGradient(true);
        pending.push(new Pass(layers, ctx, x, inputs, seeds, h));
        return h;
    }

    /** Returns whether a pass waits for its backward. */
    public boolean hasPending() {
        return !pending.isEmpty();
    }

    /**
     * Sends the gradients that reached the passes' outputs back through their layers, latest pass
     * first; the parameters' gradients accumulate as in an ordinary backward.
     */
    public void backward() {
        pending.runAll();
    }

    /** Forgets passes whose backward will not run (an evaluation, a failed step). */
    public void clear() {
        pending.clear();
    }

    private void backward(Pass pass) {
        if (!pass.output.hasGradient()) {
            return;
        }
        NDManager scope = pass.output.getManager();
        NDArray gradient = pass.output.getGradient();
        gradient.attach(scope);
        for (int i = pass.layers.size() - 1; i >= 0; i--) {
            gradient =
                    replayBackward(
                            pass.layers.get(i),
                            pass.ctx,
                            pass.inputs.get(i),
                            pass.seeds[i],
                            gradient);
        }
        // Into the embeddings' graph when there is one (trained embeddings, prompt tuning).
        // libtorch
        // refuses a tensor outside any graph before doing work; asking for its grad_fn instead
        // crashes the JNI when it has none.
        try {
            JniUtils.backward((PtNDArray) pass.source, (PtNDArray) gradient, false, false);
        } catch (EngineException outsideAnyGraph) {
            // frozen embeddings: nothing before the first layer learns
        }
    }

    // One layer without gradients, in its own scope; only its output outlives it.
    private static NDArray replay(DecoderLayer layer, LayerContext ctx, NDArray input, long seed) {
        NDManager scope = input.getManager();
        try (NDManager local = scope.newSubManager()) {
            NDArray x = input.stopGradient();
            x.attach(local);
            Engine.getInstance().setRandomSeed((int) seed);
            NDArray out = layer.forward(ctx, x).stopGradient();
            out.attach(scope);
            return out;
        }
    }

    // One layer again with gradients, then its backward; returns the input's gradient.
    private static NDArray replayBackward(
            DecoderLayer layer, LayerContext ctx, NDArray input, long seed, NDArray gradient) {
        NDManager scope = input.getManager();
        try (NDManager local = scope.newSubManager()) {
            NDArray x = input.stopGradient();
            x.attach(local);
            x.setRequiresGradient(true);
            Engine.getInstance().setRandomSeed((int) seed);
            NDArray out = layer.forward(ctx, x);
            JniUtils.backward((PtNDArray) out, (PtNDArray) gradient, false, false);
            NDArray inputGradient = x.getGradient();
            inputGradient.attach(scope);
            return inputGradient;
        }
    }
}
