package io.kubetune.trainer.model.io;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * Copies checkpoint tensors into arrays that the engine owns, in the compute type and on the
 * compute device.
 *
 * <p>Every tensor passes through F32 in two reusable direct buffers: the source is widened in Java
 * (BF16 never becomes an array on CPU), rearranged by its {@link WeightLayout}, then cloned or cast
 * by the engine. The clone matters: on CPU an array made from a Java buffer shares that buffer's
 * memory, and the buffers are reused for the next tensor.
 */
public final class TensorLoader implements AutoCloseable {

    private final NDManager scratchManager;
    private ByteBuffer widened = ByteBuffer.allocateDirect(0);
    private ByteBuffer arranged = ByteBuffer.allocateDirect(0);

    /** Creates a loader with its own CPU scratch memory. */
    public TensorLoader() {
        scratchManager = NDManager.newBaseManager(Device.cpu());
    }

    /**
     * Loads one tensor.
     *
     * @param tensor the checkpoint tensor
     * @param layout how to rearrange it
     * @param target the manager (and so the device) that will own the result
     * @param dataType the compute type of the result
     * @return an array owned by {@code target}
     */
    public NDArray load(
            TensorView tensor, WeightLayout layout, NDManager target, DataType dataType) {
        Shape shape = layout.apply(tensor.shape());
        FloatBuffer source = floats(widened = ensure(widened, tensor.size()), tensor.size());
        FloatWidening.toFloat32(tensor, source);
        source.flip();
        FloatBuffer result = source;
        if (!layout.isIdentity()) {
            result = floats(arranged = ensure(arranged, shape.size()), shape.size());
            layout.copy(source, tensor.shape(), result);
            result.flip();
        }
        ByteBuffer bytes = result == source ? widened : arranged;
        bytes.position(0).limit(Math.toIntExact(shape.size() * 4));
        try (NDManager step = scratchManager.newSubManager()) {
            NDArray shared =
                    step.create(
                            bytes.slice().order(ByteOrder.nativeOrder()), shape, DataType.FLOAT32);
            NDArray owned = toComputeForm(shared, target.getDevice(), dataType);
            owned.attach(target);
            return owned;
        }
    }

    private static NDArray toComputeForm(NDArray shared, Device device, DataType dataType) {
        if (device.isGpu()) {
            // Cast on the GPU: BF16 exists only there.
            return shared.toDevice(device, true).toType(dataType, false);
        }
        // toType to the same type returns the same memory; duplicate() makes the engine's copy.
        return dataType == DataType.FLOAT32 ? shared.duplicate() : shared.toType(dataType, false);
    }

    private static ByteBuffer ensure(ByteBuffer buffer, long floats) {
        long bytes = floats * 4;
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(
                    "a tensor of "
                            + floats
                            + " elements is over 2 GiB as F32 and cannot be loaded");
        }
        if (buffer.capacity() >= bytes) {
            return buffer;
        }
        return ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.nativeOrder());
    }

    private static FloatBuffer floats(ByteBuffer buffer, long floats) {
        buffer.clear();
        return buffer.order(ByteOrder.nativeOrder()).asFloatBuffer().limit((int) floats);
    }

    @Override
    public void close() {
        scratchManager.close();
    }
}
