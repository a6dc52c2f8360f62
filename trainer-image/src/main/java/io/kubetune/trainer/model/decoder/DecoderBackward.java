package io.kubetune.trainer.model.decoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import io.kubetune.trainer.model.layers.LinearLayer;
import io.kubetune.trainer.model.layers.QuantizedLinearBackward;
import java.util.List;

/**
 * How a training pass's backward goes through the decoder layers, chosen when the layers run:
 * autograd's own; activation checkpointing ({@link CheckpointedLayers}); or, when quantized linears
 * defer their backward, layer by layer ({@link LayerScopedBackward}). The model's forward runs its
 * layers through {@link #forward}; whoever trains holds this object and calls {@link #backward}
 * with the loss (or the loss's own backward, then {@link #finish()}), and {@link #drop()} when a
 * step's backward will not run.
 */
public final class DecoderBackward {

    private final QuantizedLinearBackward quantized = new QuantizedLinearBackward();
    private final LayerScopedBackward layerScoped = new LayerScopedBackward(quantized);
    private CheckpointedLayers checkpoints;

    /**
     * Turns activation checkpointing per layer on or off for training passes: a layer's forward is
     * rerun in the backward instead of its activations being kept.
     */
    public void setCheckpointing(boolean on) {
        checkpoints = on ? new CheckpointedLayers() : null;
    }

    /** Returns whether training passes checkpoint their layers. */
    public boolean checkpointing() {
        return checkpoints != null;
    }

    /**
     * Runs the layers as their backward will need them.
     *
     * @param linears the layers' linear layers (those holding a quantized weight may defer)
     * @param x the first layer's input
     * @return the last layer's output
     */
    public NDArray forward(
            List<DecoderLayer> layers, List<LinearLayer> linears, LayerContext ctx, NDArray x) {
        boolean training = ctx.training() && ctx.cache() == null;
        if (training && checkpoints != null) {
            // Checkpointed layers already dequantize per layer in their own backward.
            linears.forEach(l -> l.deferBackwardTo(null));
            return checkpoints.forward(layers, ctx, x);
        }
        boolean defer =
                training
                        && JniUtils.isGradMode()
                        && linears.stream().anyMatch(LinearLayer::quantized);
        linears.forEach(l -> l.deferBackwardTo(defer ? quantized : null));
        if (defer) {
            return layerScoped.forward(layers, ctx, x);
        }
        if (JniUtils.isGradMode()) {
            NDArray h = x;
            for (DecoderLayer layer : layers) {
                h = layer.forward(ctx, h);
            }
            return h;
        }
        return forwardFreeingEachLayer(layers, ctx, x);
    }

    // No graph is recorded (evaluation, generation, reference passes): each layer's intermediates
    // are freed with it. DJL frees an array only with its manager, so otherwise a pass kept every
    // layer's attention scores until its step ended (16 GB for 16 hellaswag items of ~500 tokens).
    private static NDArray forwardFreeingEachLayer(
            List<DecoderLayer> layers, LayerContext ctx, NDArray x) {
        NDManager parent = x.getManager();
        NDArray h = x;
        for (DecoderLayer layer : layers) {
            NDArray out;
            try (NDManager scope = parent.newSubManager()) {
                h.tempAttach(scope);
                out = layer.forward(ctx, h);
                out.attach(parent);
            }
            if (h != x) {
                h.close();
            }
            h = out;
        }
        return h;
    }

    /** The loss's backward, then {@link #finish()}. */
    public void backward(GradientCollector collector, NDArray loss) {
        try {
            collector.backward(loss);
            finish();
        } finally {
            drop();
        }
    }

    /**
     * Completes the backward of the training passes since the last call, after the loss's own
     * backward: checkpointed layers are rerun, deferred layers' gradients sent down layer by layer.
     */
    public void finish() {
        if (checkpoints != null) {
            checkpoints.backward();
        }
        layerScoped.backward();
    }

    /** Returns whether a pass waits for its layers' backward by layer (quantized linears). */
    public boolean layerScopedPending() {
        return layerScoped.hasPending();
    }

    /** Forgets passes whose backward will not run (a failed step), freeing what they hold. */
    public void drop() {
        if (checkpoints != null) {
            checkpoints.clear();
        }
        layerScoped.clear();
        quantized.clear();
    }
}
