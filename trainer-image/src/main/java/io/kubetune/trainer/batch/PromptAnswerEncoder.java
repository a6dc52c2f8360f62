package io.kubetune.trainer.batch;

import io.kubetune.trainer.data.Turn;
import io.kubetune.trainer.prompt.ChatTemplate;
import io.kubetune.trainer.tokenizer.HfTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Tokenizes a prompt and prompt + answer as TRL's preference trainers (DPO, reward, KTO) do, each
 * whole: with a chat template the prompt is rendered with the generation prompt and the full row as
 * the whole conversation; with {@code template: none} the texts are joined and EOS is appended to
 * the answer. The answer starts where the two token lists first differ ({@link #sharedPrefix}).
 */
final class PromptAnswerEncoder {
    private final HfTokenizer tokenizer;
    private final ChatTemplate template;
    private final boolean addSpecialTokens;
    private final String plainTextEos;

    /**
     * @param template null for {@code template: none}
     * @param templateWritesSpecialTokens the model's own template writes BOS itself
     * @param eos the tokenizer's EOS text, appended to plain-text answers
     */
    PromptAnswerEncoder(
            HfTokenizer tokenizer,
            ChatTemplate template,
            boolean templateWritesSpecialTokens,
            String eos) {
        this.tokenizer = tokenizer;
        this.template = template;
        this.addSpecialTokens = template == null || !templateWritesSpecialTokens;
        this.plainTextEos = eos;
    }

    /** The prompt's ids: its text under template none, else rendered to ask for an answer. */
    int[] prompt(List<Turn> prompt) {
        if (template == null) {
            return ids(prompt.isEmpty() ? "" : prompt.get(0).text());
        }
        return ids(template.render(prompt, true));
    }

    /** The ids of the prompt followed by the answer. */
    int[] full(List<Turn> prompt, List<Turn> answer) {
        if (template == null) {
            String text = prompt.isEmpty() ? "" : prompt.get(0).text();
            return ids(text + withEos(answer.get(0).text()));
        }
        List<Turn> all = new ArrayList<>(prompt);
        all.addAll(answer);
        return ids(template.render(all, false));
    }

    private String withEos(String answer) {
        return answer.endsWith(plainTextEos) ? answer : answer + plainTextEos;
    }

    private int[] ids(String text) {
        return Arrays.stream(tokenizer.encode(text, addSpecialTokens))
                .mapToInt(Math::toIntExact)
                .toArray();
    }

    /** How many leading ids a and b share (TRL's common_prefix_length). */
    static int sharedPrefix(int[] a, int[] b) {
        int n = Math.min(a.length, b.length);
        int i = 0;
        while (i < n && a[i] == b[i]) {
            i++;
        }
        return i;
    }
}
