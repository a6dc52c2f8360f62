package io.kubetune.trainer.train.stage.preference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/** Natively created 0-d scalars and the stable functions built from them. */
final class Scalars {
    private final NDManager manager;

    Scalars(NDManager manager) {
        this.manager = manager;
    }

    NDArray of(float value) {
        return manager.full(new Shape(), value);
    }

    /** log σ(x) = min(x, 0) − log(1 + e^−|x|), finite for any x (torch's logsigmoid). */
    NDArray logSigmoid(NDArray x) {
        return x.minimum(of(0f)).sub(x.abs().neg().exp().add(of(1f)).log());
    }

    /** log(1 − e^x) for x &lt; 0, as torch.log1p(−exp(x)). */
    NDArray logOneMinusExp(NDArray x) {
        return of(1f).sub(x.exp()).log();
    }

    static float mean(NDArray x) {
        return x.mean().toFloatArray()[0];
    }
}
