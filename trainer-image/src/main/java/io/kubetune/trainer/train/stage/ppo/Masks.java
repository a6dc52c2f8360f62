package io.kubetune.trainer.train.stage.ppo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import io.kubetune.trainer.model.Scalars;

/** torch.masked_fill with gradients passing where the mask is false. */
final class Masks {
    private Masks() {}

    static NDArray fill(NDArray values, NDArray where, float value) {
        NDArray filler = Scalars.like(values, value).broadcast(values.getShape());
        return NDArrays.where(where, filler, values);
    }
}
