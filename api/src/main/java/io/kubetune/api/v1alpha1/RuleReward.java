package io.kubetune.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** One built-in reward of stage grpo and its weight in the sum. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
        value = "self.type != 'regex' || has(self.pattern)",
        message = "a regex reward needs pattern, e.g. pattern: 'Answer: .+'",
        fieldPath = ".type")
@ValidationRule(
        value = "!has(self.pattern) || self.type == 'regex'",
        message = "pattern is only used by type regex; remove it or set type: regex",
        fieldPath = ".pattern")
public class RuleReward {
    @Required
    @JsonPropertyDescription(
            "exactMatch or numericMatch (against the reference column), regex (format reward: the"
                    + " pattern is found in the completion) or lengthPenalty (−tokens ÷"
                    + " maxCompletionLength).")
    public RuleRewardType type;

    @Size(max = 32)
    @Pattern("^-?([0-9]+(\\.[0-9]+)?|\\.[0-9]+)$")
    @Default("1")
    @JsonPropertyDescription("The reward's weight in the sum of rewards, e.g. \"0.5\" (default 1).")
    public String weight = "1";

    @Size(max = 128)
    @Default("answer")
    @JsonPropertyDescription(
            "exactMatch, numericMatch: the dataset column holding the reference answer (default"
                    + " answer).")
    public String column = "answer";

    @Size(max = 512)
    @JsonPropertyDescription(
            "regex only: a Java regular expression searched for in the completion text.")
    public String pattern;
}
