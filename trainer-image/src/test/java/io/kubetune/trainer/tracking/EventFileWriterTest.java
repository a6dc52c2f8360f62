package io.kubetune.trainer.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubetune.trainer.tracking.proto.Event;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventFileWriterTest {
    @TempDir Path dir;

    /** Expected bytes from TensorBoard 2.21's own masked_crc32c (tensorflow_stub). */
    @Test
    void checksumsAreTfRecordsMaskedCrc32c() {
        assertThat(EventFileWriter.maskedCrc("123456789".getBytes(StandardCharsets.US_ASCII)))
                .containsExactly((byte) 229, (byte) 176, (byte) 138, (byte) 199);
        byte[] length24 = {24, 0, 0, 0, 0, 0, 0, 0};
        assertThat(EventFileWriter.maskedCrc(length24))
                .containsExactly((byte) 163, (byte) 127, (byte) 75, (byte) 34);
    }

    @Test
    void fileStartsWithItsVersionThenHoldsEachSummary() throws IOException {
        try (EventFileWriter writer = new EventFileWriter(dir, "host-0")) {
            writer.scalar("train/loss", 3, 1.25);
            writer.text("hparams", 0, "| a | b |");
        }
        Path file = EventFiles.only(dir);
        assertThat(file.getFileName().toString())
                .startsWith("events.out.tfevents.")
                .contains(".host-0.");
        List<Event> events = EventFiles.read(file);
        assertThat(events).hasSize(3);
        assertThat(events.get(0).getFileVersion()).isEqualTo("brain.Event:2");
        var scalar = events.get(1).getSummary().getValue(0);
        assertThat(events.get(1).getStep()).isEqualTo(3);
        assertThat(scalar.getTag()).isEqualTo("train/loss");
        assertThat(scalar.getSimpleValue()).isEqualTo(1.25f);
        var text = events.get(2).getSummary().getValue(0);
        assertThat(text.getMetadata().getPluginData().getPluginName()).isEqualTo("text");
        assertThat(text.getTensor().getStringVal(0).toStringUtf8()).isEqualTo("| a | b |");
    }
}
