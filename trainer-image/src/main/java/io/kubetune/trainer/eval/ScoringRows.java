package io.kubetune.trainer.eval;

import java.util.List;

/**
 * A right-padded batch: row {@code r} is context + continuation without its last token, less its
 * first {@code skipped[r]} tokens when those are cached (all but the context's last); its real
 * length; the scored positions (flat indices into {@code [count * width]}) and their target tokens.
 */
record ScoringRows(
        int count,
        int width,
        int[] skipped,
        int[] lengths,
        long[] ids,
        long[] positions,
        long[] targets) {

    static ScoringRows of(List<int[]> contexts, List<int[]> continuations, boolean afterCache) {
        int count = contexts.size();
        int[] skipped = new int[count];
        int[] lengths = new int[count];
        int width = 0;
        int scored = 0;
        for (int r = 0; r < count; r++) {
            skipped[r] = afterCache ? contexts.get(r).length - 1 : 0;
            lengths[r] = contexts.get(r).length + continuations.get(r).length - 1 - skipped[r];
            width = Math.max(width, lengths[r]);
            scored += continuations.get(r).length;
        }
        long[] ids = new long[count * width]; // padded with 0, as lm-eval pads
        long[] positions = new long[scored];
        long[] targets = new long[scored];
        int p = 0;
        for (int r = 0; r < count; r++) {
            int[] context = contexts.get(r);
            int[] continuation = continuations.get(r);
            int start = context.length - skipped[r];
            for (int i = skipped[r]; i < context.length; i++) {
                ids[r * width + i - skipped[r]] = context[i];
            }
            for (int j = 0; j < continuation.length; j++) {
                if (j + 1 < continuation.length) {
                    ids[r * width + start + j] = continuation[j];
                }
                positions[p] = (long) r * width + start - 1 + j;
                targets[p++] = continuation[j];
            }
        }
        return new ScoringRows(count, width, skipped, lengths, ids, positions, targets);
    }
}
