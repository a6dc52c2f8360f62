package io.kubetune.trainer.batch;

import io.kubetune.api.v1alpha1.BatchingMode;
import java.util.ArrayList;
import java.util.List;

/** Lays tokenized samples into rows, by the spec's batching mode. */
public final class Packer {
    private final BatchingMode mode;
    private final int cutoffLength;

    public Packer(BatchingMode mode, int cutoffLength) {
        this.mode = mode;
        this.cutoffLength = cutoffLength;
    }

    public List<Row> rows(List<TokenizedSample> samples) {
        return switch (mode) {
            case PADDING -> samples.stream().map(Row::of).toList();
            case PACKED -> packedStream(samples);
            case CONCAT -> wholeSamples(samples, false);
            case PACKED_ISOLATED -> wholeSamples(samples, true);
        };
    }

    /** Everything concatenated, then cut every cutoffLength tokens; samples may be split. */
    private List<Row> packedStream(List<TokenizedSample> samples) {
        int total = samples.stream().mapToInt(TokenizedSample::length).sum();
        int[] ids = new int[total];
        int[] labels = new int[total];
        int at = 0;
        for (TokenizedSample s : samples) {
            System.arraycopy(s.ids(), 0, ids, at, s.length());
            System.arraycopy(s.labels(), 0, labels, at, s.length());
            at += s.length();
        }
        List<Row> rows = new ArrayList<>();
        for (int start = 0; start < total; start += cutoffLength) {
            int end = Math.min(total, start + cutoffLength);
            rows.add(
                    Row.of(new TokenizedSample(slice(ids, start, end), slice(labels, start, end))));
        }
        return rows;
    }

    /**
     * Whole samples joined greedily up to cutoffLength. Isolated: positions restart per sample,
     * sequence ids tell the model where attention must stop, and no sample's first token is
     * predicted from the one before it.
     */
    private List<Row> wholeSamples(List<TokenizedSample> samples, boolean isolated) {
        List<Row> rows = new ArrayList<>();
        List<TokenizedSample> current = new ArrayList<>();
        int length = 0;
        for (TokenizedSample s : samples) {
            if (!current.isEmpty() && length + s.length() > cutoffLength) {
                rows.add(join(current, length, isolated));
                current.clear();
                length = 0;
            }
            current.add(s);
            length += s.length();
        }
        if (!current.isEmpty()) {
            rows.add(join(current, length, isolated));
        }
        return rows;
    }

    private static Row join(List<TokenizedSample> samples, int length, boolean isolated) {
        int[] ids = new int[length];
        int[] labels = new int[length];
        int[] positions = new int[length];
        int[] sequences = new int[length];
        int at = 0;
        for (int k = 0; k < samples.size(); k++) {
            TokenizedSample s = samples.get(k);
            System.arraycopy(s.ids(), 0, ids, at, s.length());
            System.arraycopy(s.labels(), 0, labels, at, s.length());
            for (int i = 0; i < s.length(); i++) {
                positions[at + i] = isolated ? i : at + i;
                sequences[at + i] = isolated ? k + 1 : 1;
            }
            if (isolated && k > 0) {
                labels[at] = TokenizedSample.IGNORE;
            }
            at += s.length();
        }
        return new Row(ids, labels, positions, sequences);
    }

    private static int[] slice(int[] values, int start, int end) {
        int[] out = new int[end - start];
        System.arraycopy(values, start, out, 0, end - start);
        return out;
    }
}
