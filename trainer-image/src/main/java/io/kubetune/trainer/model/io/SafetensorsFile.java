package io.kubetune.trainer.model.io;

import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.kubetune.trainer.UserInputException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A safetensors file read in place: the JSON header is parsed once and each tensor is a
 * memory-mapped view, so multi-GB checkpoints load without one giant {@code byte[]}.
 *
 * <p>Format: 8 bytes little-endian header length N, N bytes of JSON mapping tensor names to {@code
 * {dtype, shape, data_offsets: [begin, end]}} (offsets relative to the byte after the header), then
 * the data.
 */
public final class SafetensorsFile implements AutoCloseable {

    // A header this large is a corrupt file, not a real checkpoint.
    private static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

    private final Path path;
    private final FileChannel channel;
    private final Map<String, Entry> entries;

    private SafetensorsFile(Path path, FileChannel channel, Map<String, Entry> entries) {
        this.path = path;
        this.channel = channel;
        this.entries = entries;
    }

    /**
     * Opens a safetensors file and reads its header.
     *
     * @param path the file
     * @return the open file; close it when the tensors have been copied
     * @throws IOException if the file cannot be read or is not a safetensors file
     */
    public static SafetensorsFile open(Path path) throws IOException {
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
        try {
            return new SafetensorsFile(path, channel, readHeader(path, channel));
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Returns the names of the tensors in this file, in header order. */
    public Set<String> names() {
        return Collections.unmodifiableSet(entries.keySet());
    }

    /** Returns whether the file holds a tensor of this name. */
    public boolean contains(String name) {
        return entries.containsKey(name);
    }

    /**
     * Maps one tensor's bytes.
     *
     * @param name the tensor's name
     * @return a view of the tensor
     * @throws IOException if mapping fails
     */
    public TensorView tensor(String name) throws IOException {
        Entry entry = entries.get(name);
        if (entry == null) {
            throw new IllegalArgumentException("no tensor '" + name + "' in " + path);
        }
        if (entry.length > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(
                    "tensor '" + name + "' in " + path + " is over 2 GiB, which cannot be mapped");
        }
        ByteBuffer data =
                channel.map(FileChannel.MapMode.READ_ONLY, entry.offset, entry.length)
                        .order(ByteOrder.LITTLE_ENDIAN);
        return new TensorView(name, entry.dtype, entry.shape, data);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    private static Map<String, Entry> readHeader(Path path, FileChannel channel)
            throws IOException {
        long fileSize = channel.size();
        ByteBuffer lengthBytes = readFully(channel, 0, 8, path);
        long headerLength = lengthBytes.order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        if (headerLength <= 0 || headerLength > MAX_HEADER_BYTES || 8 + headerLength > fileSize) {
            throw damaged(path, "is not a safetensors file (header length " + headerLength + ")");
        }
        ByteBuffer headerBytes = readFully(channel, 8, (int) headerLength, path);
        String json = StandardCharsets.UTF_8.decode(headerBytes).toString();
        JsonObject header;
        try {
            header = JsonParser.parseString(json).getAsJsonObject();
        } catch (RuntimeException e) {
            throw damaged(path, "has a safetensors header that is not a JSON object");
        }
        long dataStart = 8 + headerLength;
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : header.entrySet()) {
            if (!"__metadata__".equals(e.getKey())) {
                Entry entry = Entry.parse(e.getKey(), e.getValue(), dataStart, path);
                entry.check(e.getKey(), fileSize, path);
                entries.put(e.getKey(), entry);
            }
        }
        return entries;
    }

    private static ByteBuffer readFully(FileChannel channel, long at, int length, Path path)
            throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, at + buffer.position()) < 0) {
                throw damaged(path, "ends inside its safetensors header");
            }
        }
        return buffer.flip();
    }

    /** Where one tensor lies in the file. */
    private record Entry(SafetensorsDtype dtype, Shape shape, long offset, long length) {

        static Entry parse(String name, JsonElement element, long dataStart, Path path) {
            try {
                return parse(name, element.getAsJsonObject(), dataStart);
            } catch (IllegalArgumentException e) {
                throw e; // an unknown dtype, named by SafetensorsDtype
            } catch (RuntimeException e) {
                throw damaged(
                        path, "describes tensor '" + name + "' without dtype, shape or offsets");
            }
        }

        private static Entry parse(String name, JsonObject json, long dataStart) {
            SafetensorsDtype dtype = SafetensorsDtype.parse(json.get("dtype").getAsString(), name);
            JsonArray dims = json.getAsJsonArray("shape");
            long[] shape = new long[dims.size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = dims.get(i).getAsLong();
            }
            JsonArray offsets = json.getAsJsonArray("data_offsets");
            long begin = offsets.get(0).getAsLong();
            long end = offsets.get(1).getAsLong();
            return new Entry(dtype, new Shape(shape), dataStart + begin, end - begin);
        }

        void check(String name, long fileSize, Path path) {
            long expected = shape.size() * dtype.bytes();
            if (offset + length > fileSize) {
                throw damaged(
                        path,
                        "ends before the end of tensor '"
                                + name
                                + "' ("
                                + fileSize
                                + " bytes, "
                                + (offset + length)
                                + " needed)");
            }
            if (length != expected) {
                throw damaged(
                        path,
                        "gives tensor '"
                                + name
                                + "' "
                                + length
                                + " bytes where shape "
                                + shape
                                + " of "
                                + dtype
                                + " needs "
                                + expected);
            }
        }
    }

    /** One line for the user: which file, what is wrong, what to do. */
    private static UserInputException damaged(Path path, String what) {
        return new UserInputException(
                path
                        + " "
                        + what
                        + ": the file is truncated or damaged; download or copy the model again");
    }
}
