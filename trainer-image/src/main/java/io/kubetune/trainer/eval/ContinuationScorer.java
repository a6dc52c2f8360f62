package io.kubetune.trainer.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Scores every request of a task with a {@link LogLikelihoodModel}, in batches.
 *
 * <p>The requests of one item that share their context become one {@link ScoringGroup}, so the
 * model can read that context once. Groups are sorted longest first (as lm-eval sorts its requests)
 * and cut into batches of {@code batchSize} groups, so each batch pads little. A request longer
 * than {@code maxLength + 1} tokens keeps only its last {@code maxLength + 1} tokens, as lm-eval's
 * Hugging Face model truncates it: context tokens are dropped from the left.
 */
public final class ContinuationScorer {

    private final LogLikelihoodModel model;
    private final int batchSize;

    /**
     * @param model the model
     * @param batchSize groups per call to the model (a hellaswag item is one group of four)
     */
    public ContinuationScorer(LogLikelihoodModel model, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        }
        this.model = model;
        this.batchSize = batchSize;
    }

    /**
     * Scores the requests of each item.
     *
     * @param items per item, its requests
     * @return per item, one score per request, in the order given
     */
    public List<List<ContinuationScore>> score(List<List<EncodedRequest>> items) {
        List<PlannedGroup> planned = plan(items);
        planned.sort(
                Comparator.comparingInt((PlannedGroup p) -> -p.group.longestSequence())
                        .thenComparingInt(p -> p.item));
        ContinuationScore[][] results = new ContinuationScore[items.size()][];
        for (int i = 0; i < items.size(); i++) {
            results[i] = new ContinuationScore[items.get(i).size()];
        }
        for (int start = 0; start < planned.size(); start += batchSize) {
            List<PlannedGroup> chunk =
                    planned.subList(start, Math.min(planned.size(), start + batchSize));
            List<List<ContinuationScore>> scores =
                    model.score(chunk.stream().map(p -> p.group).toList());
            if (scores.size() != chunk.size()) {
                throw new IllegalStateException(
                        "model returned " + scores.size() + " groups for " + chunk.size());
            }
            for (int g = 0; g < chunk.size(); g++) {
                chunk.get(g).place(scores.get(g), results);
            }
        }
        List<List<ContinuationScore>> out = new ArrayList<>(results.length);
        for (ContinuationScore[] r : results) {
            out.add(List.of(r));
        }
        return out;
    }

    private List<PlannedGroup> plan(List<List<EncodedRequest>> items) {
        int maxLength = model.maxLength();
        List<PlannedGroup> planned = new ArrayList<>();
        for (int item = 0; item < items.size(); item++) {
            List<EncodedRequest> requests = items.get(item);
            List<int[]> contexts = new ArrayList<>();
            List<List<Integer>> members = new ArrayList<>();
            for (int r = 0; r < requests.size(); r++) {
                int[] context = window(requests.get(r), maxLength, item);
                int found = indexOf(contexts, context);
                if (found < 0) {
                    contexts.add(context);
                    members.add(new ArrayList<>());
                    found = contexts.size() - 1;
                }
                members.get(found).add(r);
            }
            for (int g = 0; g < contexts.size(); g++) {
                int[] indices = members.get(g).stream().mapToInt(Integer::intValue).toArray();
                List<int[]> continuations = new ArrayList<>();
                for (int r : indices) {
                    continuations.add(requests.get(r).continuation());
                }
                planned.add(
                        new PlannedGroup(
                                item, indices, new ScoringGroup(contexts.get(g), continuations)));
            }
        }
        return planned;
    }

    // lm-eval: (context + continuation)[-(max_length + 1):], the last token being input to none.
    private static int[] window(EncodedRequest request, int maxLength, int item) {
        int[] context = request.context();
        int continuationLength = request.continuation().length;
        if (continuationLength > maxLength) {
            throw new IllegalArgumentException(
                    "item "
                            + item
                            + ": continuation of "
                            + continuationLength
                            + " tokens does not fit the model's "
                            + maxLength
                            + "-token window");
        }
        int keep = maxLength + 1 - continuationLength;
        return context.length <= keep
                ? context
                : Arrays.copyOfRange(context, context.length - keep, context.length);
    }

    private static int indexOf(List<int[]> contexts, int[] context) {
        for (int i = 0; i < contexts.size(); i++) {
            if (Arrays.equals(contexts.get(i), context)) {
                return i;
            }
        }
        return -1;
    }

    private record PlannedGroup(int item, int[] requestIndices, ScoringGroup group) {

        // Puts the group's scores where its requests were in the item.
        void place(List<ContinuationScore> scores, ContinuationScore[][] results) {
            if (scores.size() != requestIndices.length) {
                throw new IllegalStateException(
                        "model returned "
                                + scores.size()
                                + " scores for "
                                + requestIndices.length
                                + " continuations");
            }
            for (int k = 0; k < requestIndices.length; k++) {
                results[item][requestIndices[k]] = scores.get(k);
            }
        }
    }
}
