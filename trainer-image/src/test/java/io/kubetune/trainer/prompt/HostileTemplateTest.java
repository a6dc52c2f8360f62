package io.kubetune.trainer.prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kubetune.api.v1alpha1.PromptTemplate;
import io.kubetune.trainer.UserInputException;
import io.kubetune.trainer.tokenizer.SpecialTokens;
import java.time.Duration;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A model's chat_template is outside input: one that loops, recurses or doubles strings fails
 * within seconds when the template is chosen (before any training), naming where it came from.
 */
class HostileTemplateTest {
    private static final String NESTED_LOOPS =
            "{% for a in range(10000) %}{% for b in range(10000) %}{% for c in range(10000) %}"
                    + "{% set x = a %}{% endfor %}{% endfor %}{% endfor %}";
    private static final String INLINE_DOUBLING =
            "{% set s = 'ab' %}" + "{% set s = s ~ s %}".repeat(64) + "{{ s|length }}";
    private static final String NAMESPACE_DOUBLING =
            "{% set ns = namespace(s='ab') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}"
                    + "{% endfor %}{{ ns.s|length }}";
    private static final String OUTPUT_FLOOD =
            "{% for a in range(10000) %}{% for b in range(10000) %}{{ 'xxxxxxxxxxxxxxxx' }}"
                    + "{% endfor %}{% endfor %}";

    static Stream<String> hostile() {
        return Stream.of(
                NESTED_LOOPS, INLINE_DOUBLING, NAMESPACE_DOUBLING, OUTPUT_FLOOD, fanOut(20));
    }

    @ParameterizedTest
    @MethodSource("hostile")
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a hang fails too
    void hostileTemplateFailsWithinSecondsWhenChosen(String template) {
        long start = System.nanoTime();

        assertThatThrownBy(() -> ChatTemplates.choose(PromptTemplate.MODEL, tokens(template)))
                .isInstanceOf(UserInputException.class)
                .hasMessageStartingWith("the model's tokenizer_config.json chat_template ")
                .hasMessageContaining("set the dataset's template (or --template) to chatml");

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void templatesOwnRefusalIsPassedOnShortened() {
        String template =
                "{% if messages[0]['role'] == 'user' %}{{ raise_exception('roles must be "
                        + "y".repeat(1000)
                        + "') }}{% endif %}";

        assertThatThrownBy(() -> ChatTemplates.choose(PromptTemplate.MODEL, tokens(template)))
                .isInstanceOf(UserInputException.class)
                .hasMessageContaining("chat_template refused the conversation: roles must be")
                .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(400));
    }

    @Test
    void ordinaryTemplateIsChosen() {
        String template =
                "{% for m in messages %}<|{{ m['role'] }}|>{{ m['content'] }}{{ eos_token }}"
                        + "{% endfor %}{% if add_generation_prompt %}<|assistant|>{% endif %}";

        ChatTemplates.Choice choice = ChatTemplates.choose(PromptTemplate.MODEL, tokens(template));

        assertThat(choice.template().render(java.util.List.of(), true)).isEqualTo("<|assistant|>");
    }

    /** Macros m1..mN, each calling the one before four times: 4^N calls, no recursion. */
    private static String fanOut(int levels) {
        StringBuilder t = new StringBuilder("{% macro m0() %}{% endmacro %}");
        for (int i = 1; i <= levels; i++) {
            String call = "{{ m" + (i - 1) + "() }}";
            t.append("{% macro m").append(i).append("() %}").append(call.repeat(4));
            t.append("{% endmacro %}");
        }
        return t.append("{{ m").append(levels).append("() }}").toString();
    }

    private static SpecialTokens tokens(String template) {
        return new SpecialTokens(
                Optional.empty(),
                Optional.of(new SpecialTokens.Token("</s>", 2)),
                Optional.empty(),
                Optional.of(template));
    }
}
