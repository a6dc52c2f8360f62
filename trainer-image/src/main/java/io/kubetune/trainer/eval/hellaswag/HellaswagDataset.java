package io.kubetune.trainer.eval.hellaswag;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The items read from one hellaswag file, and the ones that could not be used.
 *
 * @param source where the items came from, for messages
 * @param items the usable items, in file order
 * @param malformed the items that cannot be scored, in file order
 */
public record HellaswagDataset(
        String source, List<HellaswagItem> items, List<MalformedItem> malformed) {

    private static final int PROBLEMS_SHOWN = 5;

    /** Copies the lists. */
    public HellaswagDataset {
        items = List.copyOf(items);
        malformed = List.copyOf(malformed);
    }

    /** All items of the file, usable or not. */
    public int total() {
        return items.size() + malformed.size();
    }

    /** The first {@code n} items of the file, as lm-eval's {@code --limit} takes them. */
    public HellaswagDataset limit(int n) {
        return new HellaswagDataset(
                source,
                items.stream().filter(i -> i.index() < n).toList(),
                malformed.stream().filter(m -> m.index() < n).toList());
    }

    /**
     * Returns this data set if at least half of its items are usable; otherwise the run has no
     * meaning and this throws, quoting the first problems.
     */
    public HellaswagDataset requireMostlyValid() {
        if (total() == 0) {
            throw new HellaswagDataException(
                    source
                            + " holds no hellaswag items: point the eval at hellaswag_val.jsonl"
                            + " or a Rowan/hellaswag validation Parquet file");
        }
        if (2 * malformed.size() > total()) {
            throw new HellaswagDataException(
                    source
                            + ": "
                            + malformed.size()
                            + " of "
                            + total()
                            + " items are malformed, more than half, so the file is probably not"
                            + " hellaswag data (fields ind, activity_label, ctx_a, ctx_b, endings[4],"
                            + " label). First problems: "
                            + firstProblems());
        }
        return this;
    }

    /** Items whose label names no ending: lm-eval scores them as wrong, with a warning. */
    public List<HellaswagItem> outOfRangeLabels() {
        return items.stream().filter(i -> i.label() >= HellaswagItemParser.ENDINGS).toList();
    }

    /** The first few problems, for a log line. */
    public String firstProblems() {
        String shown =
                malformed.stream()
                        .limit(PROBLEMS_SHOWN)
                        .map(MalformedItem::toString)
                        .collect(Collectors.joining("; "));
        int more = malformed.size() - PROBLEMS_SHOWN;
        return more > 0 ? shown + "; and " + more + " more" : shown;
    }
}
