package io.kubetune.trainer.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import io.kubetune.trainer.model.Gradients;
import java.util.Collection;

/**
 * Global L2-norm clipping as {@code torch.nn.utils.clip_grad_norm_}: all gradients are scaled by
 * {@code min(1, maxNorm / (norm + 1e-6))}. (DJL's clipGrad is an elementwise clamp.)
 */
public final class GradientClipping {
    private GradientClipping() {}

    /** Clips in place and returns the norm before clipping. */
    public static double clip(Collection<Parameter> parameters, double maxNorm) {
        if (parameters.isEmpty()) {
            return 0;
        }
        double squares = 0;
        try (NDManager scratch =
                parameters.iterator().next().getArray().getManager().newSubManager()) {
            for (Parameter parameter : parameters) {
                NDArray g = Gradients.handle(parameter, scratch).toType(DataType.FLOAT32, false);
                squares += g.square().sum().getFloat();
            }
            double norm = Math.sqrt(squares);
            double coefficient = Math.min(1.0, maxNorm / (norm + 1e-6));
            if (maxNorm > 0 && coefficient < 1.0) {
                parameters.forEach(p -> Gradients.handle(p, scratch).muli(coefficient));
            }
            return norm;
        }
    }
}
