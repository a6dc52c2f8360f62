package io.kubetune.trainer.batch;

import static io.kubetune.trainer.batch.TokenizedSample.IGNORE;
import static org.assertj.core.api.Assertions.assertThat;

import io.kubetune.api.v1alpha1.BatchingMode;
import java.util.List;
import org.junit.jupiter.api.Test;

class PackerTest {
    private static final TokenizedSample A =
            new TokenizedSample(new int[] {1, 2, 3}, new int[] {IGNORE, 2, 3});
    private static final TokenizedSample B =
            new TokenizedSample(new int[] {4, 5}, new int[] {IGNORE, 5});
    private static final TokenizedSample C =
            new TokenizedSample(new int[] {6, 7, 8, 9}, new int[] {IGNORE, IGNORE, 8, 9});

    @Test
    void paddingKeepsOneSamplePerRowAndPadsToTheLongest() {
        Batch batch =
                new Collator(0).collate(new Packer(BatchingMode.PADDING, 8).rows(List.of(A, B)));
        assertThat(batch.ids()).isDeepEqualTo(new int[][] {{1, 2, 3}, {4, 5, 0}});
        assertThat(batch.labels()[1]).containsExactly(IGNORE, 5, IGNORE);
        assertThat(batch.attentionMask()[1]).containsExactly(1, 1, 0);
        assertThat(batch.realTokens()).isEqualTo(5);
    }

    @Test
    void packedConcatenatesAndCutsSplittingSamples() {
        List<Row> rows = new Packer(BatchingMode.PACKED, 4).rows(List.of(A, B, C));
        assertThat(rows)
                .extracting(Row::ids)
                .containsExactly(new int[] {1, 2, 3, 4}, new int[] {5, 6, 7, 8}, new int[] {9});
        assertThat(rows.get(1).positionIds()).containsExactly(0, 1, 2, 3);
    }

    @Test
    void concatJoinsWholeSamplesUpToTheCutoff() {
        List<Row> rows = new Packer(BatchingMode.CONCAT, 5).rows(List.of(A, B, C));
        assertThat(rows)
                .extracting(Row::ids)
                .containsExactly(new int[] {1, 2, 3, 4, 5}, new int[] {6, 7, 8, 9});
        assertThat(rows.get(0).positionIds()).containsExactly(0, 1, 2, 3, 4);
        assertThat(rows.get(0).labels()).containsExactly(IGNORE, 2, 3, IGNORE, 5);
    }

    @Test
    void isolatedPackingRestartsPositionsAndNeverPredictsAcrossSamples() {
        Row row = new Packer(BatchingMode.PACKED_ISOLATED, 16).rows(List.of(A, C)).get(0);
        assertThat(row.ids()).containsExactly(1, 2, 3, 6, 7, 8, 9);
        assertThat(row.positionIds()).containsExactly(0, 1, 2, 0, 1, 2, 3);
        assertThat(row.sequenceIds()).containsExactly(1, 1, 1, 2, 2, 2, 2);
        assertThat(row.labels()[3]).isEqualTo(IGNORE);
    }

    @Test
    void lengthGroupingPutsSimilarLengthsTogetherAndKeepsEveryIndex() {
        int[] lengths = new int[1000];
        for (int i = 0; i < lengths.length; i++) {
            lengths[i] = (i * 7919) % 500 + 1;
        }
        List<Integer> order = LengthGroupedOrder.indices(lengths, 4, 42);
        assertThat(order).doesNotHaveDuplicates().hasSize(1000);
        int spreadGrouped = 0;
        int spreadInOrder = 0;
        for (int b = 0; b < 1000; b += 4) {
            spreadGrouped += spread(lengths, order.subList(b, b + 4));
            spreadInOrder += spread(lengths, List.of(b, b + 1, b + 2, b + 3));
        }
        assertThat(spreadGrouped).isLessThan(spreadInOrder / 10);
        assertThat(LengthGroupedOrder.indices(lengths, 4, 42)).isEqualTo(order);
    }

    private static int spread(int[] lengths, List<Integer> batch) {
        int max = batch.stream().mapToInt(i -> lengths[i]).max().orElseThrow();
        int min = batch.stream().mapToInt(i -> lengths[i]).min().orElseThrow();
        return max - min;
    }
}
