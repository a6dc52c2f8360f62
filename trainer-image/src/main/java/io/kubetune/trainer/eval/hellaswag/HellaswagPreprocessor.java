package io.kubetune.trainer.eval.hellaswag;

import io.kubetune.trainer.eval.PythonStrings;
import java.util.regex.Pattern;

/**
 * lm-evaluation-harness' hellaswag preprocessing ({@code lm_eval/tasks/hellaswag/utils.py}),
 * character for character.
 */
public final class HellaswagPreprocessor {

    // Python's re "\[.*?\]": '.' matches anything but '\n' (Java's '.' also stops at '\r', U+0085,
    // U+2028 and U+2029 unless UNIX_LINES is set).
    private static final Pattern BRACKETED = Pattern.compile("\\[.*?\\]", Pattern.UNIX_LINES);

    private HellaswagPreprocessor() {}

    /**
     * {@code preprocess(text)}: strip; {@code " [title]"} becomes {@code ". "}; every bracketed
     * WikiHow marker such as {@code [header]} or {@code [step]} is removed; then each double space
     * becomes one, in a single pass (three spaces leave two).
     */
    public static String preprocess(String text) {
        String t = PythonStrings.strip(text);
        t = t.replace(" [title]", ". ");
        t = BRACKETED.matcher(t).replaceAll("");
        return t.replace("  ", " ");
    }

    /**
     * {@code _process_doc}: query = preprocess(activity_label + ": " + ctx_a + " " +
     * ctx_b.capitalize()), choices = preprocess of each ending, gold = label.
     */
    public static HellaswagDoc toDoc(HellaswagItem item) {
        String ctx = item.ctxA() + " " + PythonStrings.capitalize(item.ctxB());
        return new HellaswagDoc(
                item.index(),
                preprocess(item.activityLabel() + ": " + ctx),
                item.endings().stream().map(HellaswagPreprocessor::preprocess).toList(),
                item.label());
    }
}
