package io.kubetune.trainer.train.stage.grpo;

import io.kubetune.api.v1alpha1.RuleReward;
import io.kubetune.api.v1alpha1.RuleRewardType;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A built-in reward of one completion (spec.grpo.rewards): computed from the completion's text and
 * the prompt record's columns, never from user code.
 */
public interface RewardRule {
    /** The name its metric {@code rewards/<name>/mean} carries, as TRL names a reward function. */
    String name();

    /** The dataset column it reads, or null. */
    default String column() {
        return null;
    }

    /**
     * @param completion the completion's text, special tokens skipped
     * @param tokens how many tokens it has
     * @param columns the prompt record's other columns
     */
    double score(String completion, int tokens, Map<String, String> columns);

    /** The rule a spec entry asks for. */
    static RewardRule of(RuleReward spec, int maxCompletionLength) {
        RuleRewardType type = spec.type == null ? RuleRewardType.EXACT_MATCH : spec.type;
        String column = spec.column == null || spec.column.isBlank() ? "answer" : spec.column;
        return switch (type) {
            case EXACT_MATCH -> new ExactMatch(column);
            case NUMERIC_MATCH -> new NumericMatch(column);
            case REGEX -> new RegexMatch(Pattern.compile(spec.pattern, Pattern.DOTALL));
            case LENGTH_PENALTY -> new LengthPenalty(maxCompletionLength);
        };
    }

    /** 1 when the completion, trimmed, equals the reference, trimmed. */
    record ExactMatch(String column) implements RewardRule {
        @Override
        public String name() {
            return "exactMatch";
        }

        @Override
        public double score(String completion, int tokens, Map<String, String> columns) {
            return completion.strip().equals(columns.getOrDefault(column, "").strip()) ? 1 : 0;
        }
    }

    /** 1 when the completion's last number equals the reference's number (commas ignored). */
    record NumericMatch(String column) implements RewardRule {
        private static final Pattern NUMBER = Pattern.compile("-?[0-9][0-9,]*(\\.[0-9]+)?");

        @Override
        public String name() {
            return "numericMatch";
        }

        @Override
        public double score(String completion, int tokens, Map<String, String> columns) {
            Double answer = lastNumber(completion);
            Double reference = lastNumber(columns.getOrDefault(column, ""));
            return answer != null
                            && reference != null
                            && Math.abs(answer - reference)
                                    <= 1e-9 * Math.max(1, Math.abs(reference))
                    ? 1
                    : 0;
        }

        static Double lastNumber(String text) {
            Matcher m = NUMBER.matcher(text);
            String last = null;
            while (m.find()) {
                last = m.group();
            }
            return last == null ? null : Double.valueOf(last.replace(",", ""));
        }
    }

    /** 1 when the pattern is found in the completion (a format reward). */
    record RegexMatch(Pattern pattern) implements RewardRule {
        @Override
        public String name() {
            return "regex";
        }

        @Override
        public double score(String completion, int tokens, Map<String, String> columns) {
            return pattern.matcher(completion).find() ? 1 : 0;
        }
    }

    /** −tokens ÷ maxCompletionLength, in [−1, 0]. */
    record LengthPenalty(int maxCompletionLength) implements RewardRule {
        @Override
        public String name() {
            return "lengthPenalty";
        }

        @Override
        public double score(String completion, int tokens, Map<String, String> columns) {
            return -(double) tokens / maxCompletionLength;
        }
    }
}
