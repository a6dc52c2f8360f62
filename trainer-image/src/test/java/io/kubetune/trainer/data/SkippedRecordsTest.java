package io.kubetune.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubetune.api.v1alpha1.DataFormat;
import io.kubetune.api.v1alpha1.DatasetSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Skipped records are counted in one stdout line, which does not quote the data. */
class SkippedRecordsTest {
    @TempDir Path dir;

    @Test
    void skippedRecordsAreOneSummaryLineThatQuotesNoData() throws IOException {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            lines.add("{\"text\": \"record " + i + "\"}");
        }
        lines.add(2, "<html>SECRET-PAGE</html>");
        lines.add(4, "{\"other\": 1}");
        lines.add(6, "{\"text\": ");
        Path file = Files.write(dir.resolve("train.jsonl"), lines);
        DatasetSpec spec = new DatasetSpec();
        spec.uri = "/data";
        spec.format = DataFormat.TEXT;

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        DatasetLoader.Loaded loaded;
        try {
            loaded = DatasetLoader.load(spec, file);
        } finally {
            System.setOut(original);
        }

        assertThat(loaded.samples()).hasSize(7);
        assertThat(out.toString(StandardCharsets.UTF_8).lines().toList())
                .singleElement()
                .asString()
                .startsWith(file + ": skipped 3 of 10 records (first: line 3: not a JSON object")
                .doesNotContain("SECRET")
                .doesNotContain("html");
    }
}
