package io.kubetune.trainer.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/** This machine's matmul rate in FLOP/s, measured on square products, as a step's ceiling. */
public final class MatmulRate {
    private static final int SIZE = 1024;
    private static final int REPEATS = 5;

    private MatmulRate() {}

    /** Returns the best of a few {@code 1024 x 1024 x 1024} products, in FLOP/s. */
    public static double measure(NDManager manager, DataType type) {
        NDArray a = manager.randomNormal(new Shape(SIZE, SIZE)).toType(type, false);
        NDArray b = manager.randomNormal(new Shape(SIZE, SIZE)).toType(type, false);
        double best = Double.MAX_VALUE;
        for (int i = 0; i < REPEATS + 1; i++) {
            long start = System.nanoTime();
            NDArray c = a.matMul(b);
            c.get(0, 0).toType(DataType.FLOAT32, false).getFloat();
            double seconds = (System.nanoTime() - start) / 1e9;
            c.close();
            if (i > 0) {
                best = Math.min(best, seconds);
            }
        }
        return 2.0 * SIZE * SIZE * SIZE / best;
    }
}
