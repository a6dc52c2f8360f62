package io.kubetune.trainer.batch;

import io.kubetune.trainer.data.Sample;
import io.kubetune.trainer.prompt.ChatTemplate;
import io.kubetune.trainer.tokenizer.HfTokenizer;
import java.util.Arrays;
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

    private final PromptAnswerEncoder encoder;
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
        this.encoder =
                new PromptAnswerEncoder(tokenizer, template, templateWritesSpecialTokens, eos);
        this.cutoffLength = cutoffLength;
        this.overflow = overflow;
    }

    /** The pair's tokens; empty when it does not fit cutoffLength (see {@link Overflow}). */
    public Optional<TokenizedPair> tokenize(Sample.Preference pair) {
        int[] promptIds = encoder.prompt(pair.prompt());
        int[] chosenIds = encoder.full(pair.prompt(), pair.chosen());
        int[] rejectedIds = encoder.full(pair.prompt(), pair.rejected());
        int promptLength =
                Math.min(
                        PromptAnswerEncoder.sharedPrefix(promptIds, chosenIds),
                        PromptAnswerEncoder.sharedPrefix(promptIds, rejectedIds));
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

    private int[] cut(int[] ids) {
        return ids.length <= cutoffLength ? ids : Arrays.copyOf(ids, cutoffLength);
    }
}
