package io.kubetune.trainer.train.stage.ppo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.kubetune.trainer.model.Scalars;

/**
 * Means, variances and whitening over the positions a mask keeps, as TRL's masked_mean, masked_var
 * (Bessel-corrected) and masked_whiten compute them.
 */
public final class MaskedStats {
    /** What TRL adds to the variance before the reciprocal square root. */
    static final double WHITEN_EPSILON = 1e-8;

    private MaskedStats() {}

    /**
     * @param values any shape
     * @param keep a boolean mask of the same shape: true where a value counts
     * @return the 0-d mean of the kept values
     */
    public static NDArray mean(NDArray values, NDArray keep) {
        NDArray weights = keep.toType(values.getDataType(), false);
        return values.mul(weights).sum().div(weights.sum());
    }

    /**
     * The unbiased variance of the kept values.
     *
     * @throws IllegalArgumentException when fewer than two values are kept: a one-value variance
     *     divides by zero, so the batch is too small for whitening
     */
    public static NDArray variance(NDArray values, NDArray keep) {
        long kept = keep.toType(DataType.INT64, false).sum().getLong();
        if (kept < 2) {
            throw new IllegalArgumentException(
                    "whitening needs at least 2 response tokens in a batch, got "
                            + kept
                            + "; raise the PPO batch size");
        }
        NDArray centred = values.sub(mean(values, keep));
        NDArray biased = mean(centred.square(), keep);
        return biased.mul(Scalars.like(biased, (float) kept / (float) (kept - 1)));
    }

    /**
     * (x − mean) / sqrt(var + 1e-8) over the kept values; with {@code shiftMean} false the mean is
     * added back, so only the scale changes (TRL's whiten_rewards).
     */
    public static NDArray whiten(NDArray values, NDArray keep, boolean shiftMean) {
        NDArray mean = mean(values, keep);
        NDArray scale = variance(values, keep).add(Scalars.like(values, WHITEN_EPSILON)).sqrt();
        NDArray whitened = values.sub(mean).div(scale);
        return shiftMean ? whitened : whitened.add(mean);
    }
}
