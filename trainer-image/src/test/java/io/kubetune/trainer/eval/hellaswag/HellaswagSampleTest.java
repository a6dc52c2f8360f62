package io.kubetune.trainer.eval.hellaswag;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's eval example runs on the shipped sample: every item reads, no label is off. */
class HellaswagSampleTest {
    @Test
    void shippedSampleIsWholeHellaswagData() throws IOException {
        HellaswagDataset sample =
                HellaswagReader.read(Path.of("../examples/data/hellaswag-sample.jsonl"));

        assertThat(sample.items()).hasSize(8);
        assertThat(sample.malformed()).isEmpty();
        assertThat(sample.outOfRangeLabels()).isEmpty();
        assertThat(sample.items()).extracting(HellaswagItem::label).contains(0, 1, 2, 3);
    }
}
