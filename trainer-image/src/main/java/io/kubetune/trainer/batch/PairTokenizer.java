package io.kubetune.trainer.batch;

import io.kubetune.trainer.data.Sample;
import io.kubetune.trainer.data.Turn;
import io.kubetune.trainer.prompt.ChatTemplate;
import io.kubetune.trainer.tokenizer.HfTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Tokenizes preference pairs as TRL's DPOTrainer and RewardTrainer do: the prompt, prompt + chosen
 * and prompt + rejected are each tokenized whole; the answers start where the prompt's tokens and
 * both full rows first differ, so the prompt's tokens are shared and never count in the loss.
 *
 * <p>With a chat template the prompt is rendered with the generation prompt and the full rows as
 * the whole conversation; with {@code template: none} the texts are joined and EOS appended.
 */
public final class PairTokenizer {
    /** What a pair longer than cutoffLength becomes. */
    public enum Overflow {
        /** DPO: rows cut at cutoffLength (keep_start); dropped if the prompt alone fills it. */
        TRUNCATE,
        /** Reward model: the pair is dropped, as TRL's RewardTrainer filters it. */
        DROP
    }

    private final HfTokenizer tokenizer;
    private final ChatTemplate template;
    private final boolean addSpecialTokens;
    private final String plainTextEos;
    private final int cutoffLength;
    private final Overflow overflow;

    /**
     * @param template null for {@code template: none}
     * @param templateWritesSpecialTokens the model's own template writes BOS itself
     * @param eos the tokenizer's EOS text, appended to plain-text answers
     */
    public PairTokenizer(
            HfTokenizer tokenizer,
            ChatTemplate template,
            boolean templateWritesSpecialTokens,
            String eos,
            int cutoffLength,
            Overflow overflow) {
        this.tokenizer = tokenizer;
        this.template = template;
        this.addSpecialTokens = template == null || !templateWritesSpecialTokens;
        this.plainTextEos = eos;
        this.cutoffLength = cutoffLength;
        this.overflow = overflow;
    }

    /** The pair's tokens; empty when it does not fit cutoffLength (see {@link Overflow}). */
    public Optional<TokenizedPair> tokenize(Sample.Preference pair) {
        String prompt;
        String chosen;
        String rejected;
        if (template == null) {
            prompt = pair.prompt().isEmpty() ? "" : pair.prompt().get(0).text();
            chosen = prompt + withEos(pair.chosen().get(0).text());
            rejected = prompt + withEos(pair.rejected().get(0).text());
        } else {
            prompt = template.render(pair.prompt(), true);
            chosen = template.render(joined(pair.prompt(), pair.chosen()), false);
            rejected = template.render(joined(pair.prompt(), pair.rejected()), false);
        }
        int[] promptIds = ids(prompt);
        int[] chosenIds = ids(chosen);
        int[] rejectedIds = ids(rejected);
        int promptLength =
                Math.min(sharedPrefix(promptIds, chosenIds), sharedPrefix(promptIds, rejectedIds));
        if (overflow == Overflow.DROP) {
            return chosenIds.length > cutoffLength || rejectedIds.length > cutoffLength
                    ? Optional.empty()
                    : Optional.of(
                            new TokenizedPair(chosenIds, rejectedIds, promptLength, pair.margin()));
        }
        if (promptLength >= cutoffLength) {
            return Optional.empty();
        }
        return Optional.of(
                new TokenizedPair(cut(chosenIds), cut(rejectedIds), promptLength, pair.margin()));
    }

    private String withEos(String answer) {
        return answer.endsWith(plainTextEos) ? answer : answer + plainTextEos;
    }

    private int[] ids(String text) {
        return Arrays.stream(tokenizer.encode(text, addSpecialTokens))
                .mapToInt(Math::toIntExact)
                .toArray();
    }

    private int[] cut(int[] ids) {
        return ids.length <= cutoffLength ? ids : Arrays.copyOf(ids, cutoffLength);
    }

    private static List<Turn> joined(List<Turn> prompt, List<Turn> answer) {
        List<Turn> all = new ArrayList<>(prompt);
        all.addAll(answer);
        return all;
    }

    private static int sharedPrefix(int[] a, int[] b) {
        int n = Math.min(a.length, b.length);
        int i = 0;
        while (i < n && a[i] == b[i]) {
            i++;
        }
        return i;
    }
}
