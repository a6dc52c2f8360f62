package io.kubetune.trainer.model.io;

import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One tensor of a checkpoint as it lies in the file: its dtype, shape and little-endian bytes.
 *
 * <p>The bytes are a read-only view of memory-mapped file pages, so holding a view costs no heap.
 *
 * @param name the tensor's name in the checkpoint
 * @param dtype the element type in the file
 * @param shape the tensor's shape
 * @param data the raw bytes, position 0, limit the tensor's byte length
 */
public record TensorView(String name, SafetensorsDtype dtype, Shape shape, ByteBuffer data) {

    /** Returns the number of elements. */
    public long size() {
        return shape.size();
    }

    /** Returns a fresh little-endian view of the bytes, so callers never share a position. */
    public ByteBuffer bytes() {
        return data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }
}
