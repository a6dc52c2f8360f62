package io.kubetune.trainer.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import io.kubetune.trainer.model.Gradients;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Dynamic loss scaling for fp16 training, as {@code torch.amp.GradScaler}: the loss is multiplied
 * by a large scale before backward so small fp16 gradients do not flush to zero; gradients are
 * divided by it before clipping and the optimizer step. A step whose gradients overflowed is
 * skipped and the scale halved; after {@code growthInterval} good steps in a row it doubles.
 *
 * <p>Use per optimizer step: {@code backward(scaler.scale(loss))} for each micro-batch, then {@code
 * if (scaler.unscale(trainable)) { clip; step; }}, then {@code scaler.update()}; zero the gradients
 * either way. Not needed for fp32 or bf16 (bf16 has fp32's range).
 */
public final class DynamicLossScaler {
    private static final float GROWTH = 2f;
    private static final float BACKOFF = 0.5f;

    private final int growthInterval;
    private float scale;
    private int goodSteps;
    private boolean lastFinite = true;

    /** torch's defaults: scale 2^16, doubled after 2000 steps without overflow. */
    public DynamicLossScaler() {
        this(65536f, 2000);
    }

    public DynamicLossScaler(float initialScale, int growthInterval) {
        this.scale = initialScale;
        this.growthInterval = growthInterval;
    }

    /** The current scale. */
    public float scale() {
        return scale;
    }

    /**
     * The loss times the scale, in fp32, for backward. As torch does, the scale is a 1-element fp32
     * tensor, so type promotion makes the product fp32 even for an fp16 loss (2^16 does not fit in
     * fp16); it is created natively and kept alive through backward (a Java Number would not be:
     * see DJL-NOTES).
     */
    public NDArray scale(NDArray loss) {
        NDArray factor = loss.getManager().full(new Shape(1), scale, DataType.FLOAT32);
        return loss.mul(factor).sum();
    }

    /**
     * Divides the gradients by the scale in place.
     *
     * @return whether every gradient is finite; when not, skip this optimizer step
     */
    public boolean unscale(Collection<Parameter> trainable) {
        boolean finite = true;
        try (NDManager scratch = scratchFor(trainable)) {
            for (Parameter parameter : trainable) {
                NDArray gradient = Gradients.handle(parameter, scratch);
                NDArray asFloat = gradient.toType(DataType.FLOAT32, false);
                finite &=
                        !asFloat.isNaN().any().getBoolean()
                                && !asFloat.isInfinite().any().getBoolean();
                // A 0-d fp32 divisor keeps an fp16 gradient fp16 (2^16 does not fit in fp16).
                gradient.divi(scratch.full(new Shape(), scale, DataType.FLOAT32));
            }
        }
        lastFinite = finite;
        return finite;
    }

    /**
     * The state a checkpoint keeps, under the names of {@code torch.amp.GradScaler.state_dict()}:
     * {@code scale}, {@code growth_factor}, {@code backoff_factor}, {@code growth_interval}, {@code
     * _growth_tracker} (good steps since the last change of scale).
     */
    public Map<String, Number> stateDict() {
        Map<String, Number> state = new LinkedHashMap<>();
        state.put("scale", scale);
        state.put("growth_factor", GROWTH);
        state.put("backoff_factor", BACKOFF);
        state.put("growth_interval", growthInterval);
        state.put("_growth_tracker", goodSteps);
        return state;
    }

    /**
     * Continues from a {@link #stateDict()}: the scale and the good steps counted towards growth (a
     * resumed run backs off and grows as the uninterrupted one would).
     */
    public void loadStateDict(Map<String, ? extends Number> state) {
        scale = state.get("scale").floatValue();
        goodSteps = state.get("_growth_tracker").intValue();
        lastFinite = true;
    }

    /** Adapts the scale to the last {@link #unscale}: halved after an overflow, else grown. */
    public void update() {
        if (!lastFinite) {
            scale *= BACKOFF;
            goodSteps = 0;
        } else if (++goodSteps >= growthInterval) {
            scale *= GROWTH;
            goodSteps = 0;
        }
    }

    private static NDManager scratchFor(Collection<Parameter> trainable) {
        return trainable.isEmpty()
                ? NDManager.newBaseManager()
                : trainable.iterator().next().getArray().getManager().newSubManager();
    }
}
