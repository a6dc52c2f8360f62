package io.kubetune.trainer.batch;

import io.kubetune.trainer.data.Sample;
import io.kubetune.trainer.prompt.ChatTemplate;
import io.kubetune.trainer.tokenizer.HfTokenizer;
import java.util.Arrays;
import java.util.Optional;

/**
 * Tokenizes judged answers as TRL's KTOTrainer does (kto_trainer.py, _prepare_dataset): prompt and
 * prompt + answer each whole, the answer starting where they first differ; an example whose prompt
 * alone fills cutoffLength is dropped, the others are cut at cutoffLength when collated.
 */
public final class FeedbackTokenizer {
    private final PromptAnswerEncoder encoder;
    private final int cutoffLength;

    /**
     * @param template null for {@code template: none}
     * @param templateWritesSpecialTokens the model's own template writes BOS itself
     * @param eos the tokenizer's EOS text, appended to plain-text answers
     */
    public FeedbackTokenizer(
            HfTokenizer tokenizer,
            ChatTemplate template,
            boolean templateWritesSpecialTokens,
            String eos,
            int cutoffLength) {
        this.encoder =
                new PromptAnswerEncoder(tokenizer, template, templateWritesSpecialTokens, eos);
        this.cutoffLength = cutoffLength;
    }

    /** The example's tokens; empty when its prompt alone fills cutoffLength. */
    public Optional<TokenizedFeedback> tokenize(Sample.Feedback feedback) {
        int[] promptIds = encoder.prompt(feedback.prompt());
        int[] fullIds = encoder.full(feedback.prompt(), feedback.completion());
        int promptLength = PromptAnswerEncoder.sharedPrefix(promptIds, fullIds);
        if (promptLength >= cutoffLength) {
            return Optional.empty();
        }
        return Optional.of(
                new TokenizedFeedback(
                        Arrays.copyOf(fullIds, promptLength),
                        Arrays.copyOfRange(fullIds, promptLength, fullIds.length),
                        feedback.desirable()));
    }
}
