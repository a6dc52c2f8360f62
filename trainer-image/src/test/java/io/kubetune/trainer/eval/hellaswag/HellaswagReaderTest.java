package io.kubetune.trainer.eval.hellaswag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kubetune.trainer.eval.Fixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HellaswagReaderTest {

    private static final String GOOD =
            "{\"ind\": 1, \"activity_label\": \"Act\", \"ctx_a\": \"A man sits.\", \"ctx_b\": \"he\","
                    + " \"ctx\": \"A man sits. he\", \"endings\": [\"a\", \"b\", \"c\", \"d\"],"
                    + " \"source_id\": \"s\", \"split\": \"val\", \"split_type\": \"indomain\","
                    + " \"label\": %s}";

    @TempDir Path dir;

    @Test
    void bothLayoutsGiveTheSameItems() throws IOException {
        HellaswagDataset jsonl = HellaswagReader.read(Fixtures.itemsJsonl());
        HellaswagDataset parquet = HellaswagReader.read(Fixtures.itemsParquet());
        assertThat(jsonl.malformed()).isEmpty();
        assertThat(parquet.malformed()).isEmpty();
        assertThat(parquet.items()).hasSize(Fixtures.reference().getAsJsonArray("docs").size());
        assertThat(parquet.items()).isEqualTo(jsonl.items());
        HellaswagItem first = parquet.items().get(0);
        assertThat(first.ind()).isEqualTo(4L);
        assertThat(first.label()).isEqualTo(3);
        assertThat(first.sourceId()).isEqualTo("activitynet~v_x");
    }

    @Test
    void malformedParquetRowsAreReportedByIndex() throws IOException {
        HellaswagDataset d =
                HellaswagReader.read(Fixtures.resource("eval/hellaswag_malformed.parquet"));
        // label 4 (item 3) names no ending: kept, and scored as wrong as lm-eval does
        assertThat(d.items()).extracting(HellaswagItem::index).containsExactly(0, 1, 3, 5);
        assertThat(d.outOfRangeLabels()).extracting(HellaswagItem::index).containsExactly(3);
        assertThat(d.malformed()).extracting(MalformedItem::index).containsExactly(2, 4, 6, 7, 8);
        assertThat(d.malformed().get(0).reason()).isEqualTo("endings has 3 entries, expected 4");
        assertThat(d.malformed().get(1).reason()).contains("got \"x\"");
        assertThat(d.malformed().get(2).reason()).isEqualTo("ctx_a is missing");
        assertThat(d.malformed().get(3).reason()).isEqualTo("endings is missing");
        assertThat(d.malformed().get(4).reason()).contains("got \"\"");
        assertThatThrownBy(d::requireMostlyValid)
                .isInstanceOf(HellaswagDataException.class)
                .hasMessageContaining("5 of 9 items are malformed")
                .hasMessageContaining("item 2: endings has 3 entries");
    }

    @Test
    void malformedJsonlLinesAreReportedByIndexAndSkipped() throws IOException {
        Path file =
                write(
                        GOOD.formatted("0"),
                        "",
                        GOOD.formatted("\"2\""),
                        GOOD.formatted("4"),
                        GOOD.formatted("3.0"),
                        GOOD.formatted("\"-1\""),
                        "{not json",
                        "[1, 2]",
                        GOOD.formatted("1").replace("\"ctx_b\": \"he\",", ""),
                        GOOD.formatted("1")
                                .replace(
                                        "[\"a\", \"b\", \"c\", \"d\"]",
                                        "[\"a\", null, \"c\", \"d\"]"),
                        GOOD.formatted("1")
                                .replace("\"endings\": [\"a\", \"b\", \"c\", \"d\"],", ""),
                        GOOD.formatted("3"),
                        "   ");
        HellaswagDataset d = HellaswagReader.read(file);
        assertThat(d.items()).extracting(HellaswagItem::index).containsExactly(0, 1, 2, 10);
        assertThat(d.items()).extracting(HellaswagItem::label).containsExactly(0, 2, 4, 3);
        assertThat(d.malformed())
                .extracting(MalformedItem::index)
                .containsExactly(3, 4, 5, 6, 7, 8, 9);
        assertThat(d.malformed())
                .extracting(MalformedItem::reason)
                .satisfiesExactly(
                        r -> assertThat(r).isEqualTo("label must be an integer 0 to 3, got 3.0"),
                        r -> assertThat(r).isEqualTo("label must be an integer 0 to 3, got \"-1\""),
                        r -> assertThat(r).isEqualTo("line 7 is not JSON"),
                        r -> assertThat(r).isEqualTo("line 8 is not a JSON object"),
                        r -> assertThat(r).isEqualTo("ctx_b is missing"),
                        r -> assertThat(r).isEqualTo("endings[1] is not a string: null"),
                        r -> assertThat(r).isEqualTo("endings is missing"));
        assertThat(d.total()).isEqualTo(11);
        assertThatThrownBy(d::requireMostlyValid)
                .hasMessageContaining("7 of 11 items are malformed")
                .hasMessageContaining("; and 2 more");
    }

    @Test
    void runsWhenAtMostHalfAreBad() throws IOException {
        HellaswagDataset d =
                HellaswagReader.read(write(GOOD.formatted("1"), GOOD.formatted("\"x\"")));
        assertThat(d.requireMostlyValid().items()).hasSize(1);
        assertThat(d.firstProblems())
                .isEqualTo("item 1: label must be an integer 0 to 3, got \"x\"");
    }

    @Test
    void limitTakesTheFirstItemsOfTheFile() throws IOException {
        HellaswagDataset d =
                HellaswagReader.read(
                        write(GOOD.formatted("\"x\""), GOOD.formatted("1"), GOOD.formatted("2")));
        HellaswagDataset two = d.limit(2);
        assertThat(two.items()).extracting(HellaswagItem::index).containsExactly(1);
        assertThat(two.malformed()).extracting(MalformedItem::index).containsExactly(0);
    }

    @Test
    void emptyOrMissingDataFailsClearly() throws IOException {
        assertThatThrownBy(() -> HellaswagReader.read(write("", " ")).requireMostlyValid())
                .hasMessageContaining("holds no hellaswag items");
        assertThatThrownBy(() -> HellaswagReader.read(dir.resolve("nope.jsonl")))
                .isInstanceOf(HellaswagDataException.class)
                .hasMessageContaining("is not a file");
    }

    @Test
    void brokenParquetFailsClearly() throws IOException {
        Path file = dir.resolve("broken.parquet");
        Files.write(
                file,
                "PAR1 and then nothing that Parquet can read".getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> HellaswagReader.read(file))
                .isInstanceOf(HellaswagDataException.class)
                .hasMessageContaining(
                        "broken.parquet starts like a Parquet file but cannot be read");
    }

    @Test
    void zstdGzipAndUncompressedParquetPagesAreRead() throws IOException {
        List<HellaswagItem> snappy =
                HellaswagReader.read(Fixtures.itemsParquet()).items().subList(0, 6);
        for (String codec : new String[] {"zstd", "gzip", "none"}) {
            HellaswagDataset d =
                    HellaswagReader.read(
                            Fixtures.resource("eval/hellaswag_items_" + codec + ".parquet"));
            assertThat(d.items()).as(codec).isEqualTo(snappy);
        }
    }

    private Path write(String... lines) throws IOException {
        Path file = Files.createTempFile(dir, "hellaswag", ".jsonl");
        Files.write(file, List.of(lines));
        return file;
    }
}
