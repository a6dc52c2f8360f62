package io.kubetune.trainer.model.decoder;

import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import io.kubetune.trainer.model.PendingBackwards;
import io.kubetune.trainer.model.layers.QuantizedLinearBackward;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The backward of a pass whose quantized linears defer theirs ({@link QuantizedLinearBackward}),
 * one decoder layer at a time and without recomputation: each half layer's (attention,
 * feed-forward) forward graph lives in its own memory scope, from a leaf standing for its input.
 * The loss's backward stops at a leaf standing for the last layer's output; then, latest layer
 * first, the layer's output gets its gradient, its deferred linears run (latest first), and its
 * input leaf's gradient goes to the layer below. A layer's activations, graph and leaf gradients
 * are freed as soon as its backward is done, so the step holds at most one layer's gradients beside
 * the activations not yet reached.
 */
public final class LayerScopedBackward {

    /** One half layer's recorded forward: its scope, input leaf, output and deferred linears. */
    private record LayerGraph(
            NDManager scope, NDArray input, NDArray output, PendingBackwards<?> linears) {}

    /** One pass: the first layer's input as the caller gave it, the layers, the output leaf. */
    private record Pass(NDArray source, List<LayerGraph> layers, NDArray top) {}

    private final QuantizedLinearBackward linears;
    private final PendingBackwards<Pass> pending = new PendingBackwards<>(this::backward);

    /**
     * @param linears where the layers' quantized linears defer their backward
     */
    public LayerScopedBackward(QuantizedLinearBackward linears) {
        this.linears = linears;
    }

    /**
     * Runs the layers, each recorded in its own scope.
     *
     * @param x the first layer's input, possibly attached to a graph (trained embeddings)
     * @return the last layer's output as a leaf that records its gradient
     */
    public NDArray forward(List<DecoderLayer> layers, LayerContext ctx, NDArray x) {
        NDManager step = x.getManager();
        List<LayerGraph> graphs = new ArrayList<>();
        NDArray h = x;
        for (DecoderLayer layer : layers) {
            // Each half its own scope: the feed-forward's gradients and activations are gone
            // before the attention's backward starts.
            h = record(step, h, in -> layer.attentionBlock(ctx, in), graphs);
            h = record(step, h, in -> layer.feedForwardBlock(ctx, in), graphs);
        }
        NDArray top = leaf(h, step);
        pending.push(new Pass(x, graphs, top));
        return top;
    }

    private NDArray record(
            NDManager step, NDArray h, UnaryOperator<NDArray> block, List<LayerGraph> graphs) {
        NDManager scope = step.newSubManager();
        NDArray input = leaf(h, scope);
        NDArray output = block.apply(input);
        graphs.add(new LayerGraph(scope, input, output, linears.takePending()));
        return output;
    }

    private static NDArray leaf(NDArray of, NDManager scope) {
        NDArray leaf = of.stopGradient();
        leaf.attach(scope);
        leaf.setRequiresGradient(true);
        return leaf;
    }

    /** Returns whether a pass waits for its backward. */
    public boolean hasPending() {
        return !pending.isEmpty();
    }

    /** Runs the layers' backward of the passes since the last call, latest pass first. */
    public void backward() {
        List<Pass> passes = pending.passes();
        try {
            pending.runAll();
        } finally {
            passes.forEach(LayerScopedBackward::free);
        }
    }

    /** Forgets passes whose backward will not run (an evaluation, a failed step), freeing them. */
    public void clear() {
        pending.passes().forEach(LayerScopedBackward::free);
        pending.clear();
    }

    private static void free(Pass pass) {
        pass.layers.forEach(g -> g.scope.close());
    }

    private void backward(Pass pass) {
        if (!pass.top.hasGradient()) {
            return;
        }
        NDManager step = pass.top.getManager();
        NDArray gradient = pass.top.getGradient();
        gradient.attach(step);
        for (int i = pass.layers.size() - 1; i >= 0; i--) {
            LayerGraph layer = pass.layers.get(i);
            // Kept: the deferred linears' backwards go through parts of this graph again.
            JniUtils.backward((PtNDArray) layer.output, (PtNDArray) gradient, true, false);
            gradient.close();
            layer.linears.runAll();
            gradient = layer.input.getGradient();
            gradient.attach(step);
            layer.scope.close();
        }
        // Into the embeddings' graph when there is one (trained embeddings, prompt tuning); kept,
        // since another pass of the step may share it. libtorch refuses a tensor outside any graph.
        try {
            JniUtils.backward((PtNDArray) pass.source, (PtNDArray) gradient, true, false);
        } catch (EngineException outsideAnyGraph) {
            // frozen embeddings: nothing before the first layer learns
        } finally {
            gradient.close();
        }
    }
}
