package io.kubetune.trainer.tracking;

import com.google.protobuf.ByteString;
import io.kubetune.trainer.tracking.proto.Event;
import io.kubetune.trainer.tracking.proto.Summary;
import io.kubetune.trainer.tracking.proto.SummaryMetadata;
import io.kubetune.trainer.tracking.proto.TensorProto;
import io.kubetune.trainer.tracking.proto.TensorShapeProto;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * Writes one TensorBoard event file: TFRecord framing (length, masked CRC32C of the length, the
 * serialized {@code Event}, its masked CRC32C), the file-version event first. Each write is
 * flushed, so TensorBoard (and an upload) sees every step while the run goes on.
 */
public final class EventFileWriter implements AutoCloseable {
    private static final int DT_STRING = 7;
    private static final int DATA_CLASS_SCALAR = 1;
    private static final int DATA_CLASS_TENSOR = 2;

    private final Path file;
    private final OutputStream out;

    /** Creates {@code events.out.tfevents.<seconds>.<host>.<pid>.kubetune} in {@code dir}. */
    public EventFileWriter(Path dir, String host) throws IOException {
        Files.createDirectories(dir);
        long seconds = System.currentTimeMillis() / 1000;
        long pid = ProcessHandle.current().pid();
        this.file =
                dir.resolve("events.out.tfevents.%d.%s.%d.kubetune".formatted(seconds, host, pid));
        this.out = Files.newOutputStream(file);
        write(Event.newBuilder().setWallTime(now()).setFileVersion("brain.Event:2").build());
    }

    public Path file() {
        return file;
    }

    /** A scalar, as {@code SummaryWriter.add_scalar} writes it (a float32 simple_value). */
    public void scalar(String tag, long step, double value) throws IOException {
        SummaryMetadata metadata = metadata("scalars", DATA_CLASS_SCALAR);
        summary(
                step,
                Summary.Value.newBuilder()
                        .setTag(tag)
                        .setMetadata(metadata)
                        .setSimpleValue((float) value)
                        .build());
    }

    /** Markdown shown in TensorBoard's Text tab, as {@code SummaryWriter.add_text} writes it. */
    public void text(String tag, long step, String markdown) throws IOException {
        TensorProto tensor =
                TensorProto.newBuilder()
                        .setDtype(DT_STRING)
                        .setTensorShape(
                                TensorShapeProto.newBuilder()
                                        .addDim(TensorShapeProto.Dim.newBuilder().setSize(1)))
                        .addStringVal(ByteString.copyFrom(markdown, StandardCharsets.UTF_8))
                        .build();
        summary(
                step,
                Summary.Value.newBuilder()
                        .setTag(tag)
                        .setMetadata(metadata("text", DATA_CLASS_TENSOR))
                        .setTensor(tensor)
                        .build());
    }

    private static SummaryMetadata metadata(String plugin, int dataClass) {
        return SummaryMetadata.newBuilder()
                .setPluginData(SummaryMetadata.PluginData.newBuilder().setPluginName(plugin))
                .setDataClass(dataClass)
                .build();
    }

    private void summary(long step, Summary.Value value) throws IOException {
        write(
                Event.newBuilder()
                        .setWallTime(now())
                        .setStep(step)
                        .setSummary(Summary.newBuilder().addValue(value))
                        .build());
    }

    private synchronized void write(Event event) throws IOException {
        byte[] data = event.toByteArray();
        byte[] length =
                ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(data.length).array();
        out.write(length);
        out.write(maskedCrc(length));
        out.write(data);
        out.write(maskedCrc(data));
        out.flush();
    }

    /** TFRecord's checksum: CRC32C, rotated right by 15 bits plus a constant, little-endian. */
    static byte[] maskedCrc(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        int value = (int) crc.getValue();
        int masked = ((value >>> 15) | (value << 17)) + 0xa282ead8;
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(masked).array();
    }

    private static double now() {
        return System.currentTimeMillis() / 1000.0;
    }

    @Override
    public synchronized void close() throws IOException {
        out.close();
    }
}
