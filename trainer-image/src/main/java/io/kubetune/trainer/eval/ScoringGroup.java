package io.kubetune.trainer.eval;

import java.util.Arrays;
import java.util.List;

/**
 * Continuations that follow one shared context, to be scored together.
 *
 * @param context the shared context tokens (BOS included where the tokenizer adds one)
 * @param continuations the continuations' tokens, each non-empty
 */
public record ScoringGroup(int[] context, List<int[]> continuations) {

    /** Copies the list; the arrays are shared and must not be changed. */
    public ScoringGroup {
        continuations = List.copyOf(continuations);
    }

    /** Context plus the longest continuation: the padded length this group needs. */
    public int longestSequence() {
        int longest = 0;
        for (int[] c : continuations) {
            longest = Math.max(longest, c.length);
        }
        return context.length + longest;
    }

    @Override
    public String toString() {
        StringBuilder s =
                new StringBuilder("ScoringGroup[context=").append(Arrays.toString(context));
        for (int[] c : continuations) {
            s.append(", ").append(Arrays.toString(c));
        }
        return s.append(']').toString();
    }
}
