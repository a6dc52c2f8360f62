package io.kubetune.trainer.model.io;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The element types a safetensors header may name that kubetune can read. */
public enum SafetensorsDtype {
    F32(4),
    F16(2),
    BF16(2);

    private final int bytes;

    SafetensorsDtype(int bytes) {
        this.bytes = bytes;
    }

    /** Returns the size of one element in bytes. */
    public int bytes() {
        return bytes;
    }

    /**
     * Parses the {@code dtype} string of a safetensors header entry.
     *
     * @param name the header's dtype, e.g. {@code "BF16"}
     * @param tensor the tensor it belongs to, named in the error
     * @return the dtype
     */
    public static SafetensorsDtype parse(String name, String tensor) {
        for (SafetensorsDtype dtype : values()) {
            if (dtype.name().equals(name)) {
                return dtype;
            }
        }
        throw new IllegalArgumentException(
                "tensor '"
                        + tensor
                        + "' has dtype "
                        + name
                        + ", which kubetune cannot load; supported: "
                        + Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", "))
                        + " (convert the checkpoint, e.g. with torch: model.to(torch.float32))");
    }
}
