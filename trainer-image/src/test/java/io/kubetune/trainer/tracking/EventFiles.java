package io.kubetune.trainer.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubetune.trainer.tracking.proto.Event;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Reads back event files in tests, checking each record's two checksums as TensorBoard does. */
final class EventFiles {
    private EventFiles() {}

    /** The one event file in {@code dir}. */
    static Path only(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> events =
                    files.filter(f -> f.getFileName().toString().contains("tfevents")).toList();
            assertThat(events).as("event files in " + dir).hasSize(1);
            return events.get(0);
        }
    }

    static List<Event> read(Path file) throws IOException {
        ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        List<Event> events = new ArrayList<>();
        while (in.hasRemaining()) {
            byte[] length = take(in, 8);
            assertThat(take(in, 4))
                    .as("length checksum")
                    .isEqualTo(EventFileWriter.maskedCrc(length));
            long size = ByteBuffer.wrap(length).order(ByteOrder.LITTLE_ENDIAN).getLong();
            byte[] data = take(in, (int) size);
            assertThat(take(in, 4)).as("data checksum").isEqualTo(EventFileWriter.maskedCrc(data));
            events.add(Event.parseFrom(data));
        }
        return events;
    }

    private static byte[] take(ByteBuffer in, int n) {
        byte[] bytes = new byte[n];
        in.get(bytes);
        return bytes;
    }
}
