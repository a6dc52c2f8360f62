package io.kubetune.trainer.model.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes named tensors as a .safetensors file: an 8-byte little-endian header length, the JSON
 * header (padded to 8 bytes), then each tensor's little-endian bytes. F32 and F16 are kept as they
 * are; anything else is written as F32. The file appears atomically (temp file, then move).
 */
public final class SafetensorsWriter {
    private SafetensorsWriter() {}

    public static void write(Path file, Map<String, NDArray> tensors, Map<String, String> metadata)
            throws IOException {
        JsonObject header = new JsonObject();
        JsonObject meta = new JsonObject();
        metadata.forEach(meta::addProperty);
        header.add("__metadata__", meta);
        Map<String, byte[]> data = new LinkedHashMap<>();
        long offset = 0;
        for (Map.Entry<String, NDArray> entry : tensors.entrySet()) {
            NDArray array = entry.getValue();
            boolean half = array.getDataType() == DataType.FLOAT16;
            NDArray stored = half ? array : array.toType(DataType.FLOAT32, false);
            byte[] bytes = littleEndian(stored.toByteBuffer());
            if (stored != array) {
                stored.close();
            }
            JsonObject info = new JsonObject();
            info.addProperty("dtype", half ? "F16" : "F32");
            JsonArray shape = new JsonArray();
            for (long d : array.getShape().getShape()) {
                shape.add(d);
            }
            info.add("shape", shape);
            JsonArray offsets = new JsonArray();
            offsets.add(offset);
            offsets.add(offset + bytes.length);
            info.add("data_offsets", offsets);
            header.add(entry.getKey(), info);
            data.put(entry.getKey(), bytes);
            offset += bytes.length;
        }
        byte[] json = new Gson().toJson(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        try (OutputStream out = Files.newOutputStream(temp)) {
            out.write(
                    ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
            out.write(json);
            out.write(" ".repeat(padded - json.length).getBytes(StandardCharsets.US_ASCII));
            for (byte[] bytes : data.values()) {
                out.write(bytes);
            }
        }
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** DJL hands out the array's bytes in native order (whatever the buffer claims). */
    private static byte[] littleEndian(ByteBuffer buffer) {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new IllegalStateException("safetensors are little-endian; this machine is not");
        }
        ByteBuffer source = buffer.duplicate();
        source.rewind();
        byte[] bytes = new byte[source.remaining()];
        source.get(bytes);
        return bytes;
    }
}
