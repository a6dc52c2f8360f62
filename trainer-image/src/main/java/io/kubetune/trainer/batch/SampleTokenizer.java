package io.kubetune.trainer.batch;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import io.kubetune.trainer.data.Sample;
import io.kubetune.trainer.prompt.ChatTemplate;
import io.kubetune.trainer.prompt.Segment;
import io.kubetune.trainer.tokenizer.HfTokenizer;
import java.util.Arrays;
import java.util.List;

/**
 * Tokenizes samples and masks the loss: a conversation is rendered whole and tokenized once (so
 * merges across turn boundaries are those the model sees at inference), then each token is labelled
 * by the segment its first character falls in.
 */
public final class SampleTokenizer {
    private final HfTokenizer tokenizer;
    private final ChatTemplate template;
    private final boolean templateAddsSpecialTokens;
    private final boolean trainOnPrompt;
    private final int cutoffLength;
    private final long eosId;

    /**
     * @param templateAddsSpecialTokens true for a model's own chat template, which writes BOS
     *     itself (transformers then tokenizes with add_special_tokens=False)
     * @param eosId appended to pre-training text; negative for none
     */
    public SampleTokenizer(
            HfTokenizer tokenizer,
            ChatTemplate template,
            boolean templateAddsSpecialTokens,
            boolean trainOnPrompt,
            int cutoffLength,
            long eosId) {
        this.tokenizer = tokenizer;
        this.template = template;
        this.templateAddsSpecialTokens = templateAddsSpecialTokens;
        this.trainOnPrompt = trainOnPrompt;
        this.cutoffLength = cutoffLength;
        this.eosId = eosId;
    }

    public TokenizedSample tokenize(Sample sample) {
        if (sample instanceof Sample.Text text) {
            return tokenizeText(text.text());
        }
        return tokenizeChat(template.segments(((Sample.Chat) sample).turns()));
    }

    private TokenizedSample tokenizeText(String text) {
        long[] encoded = tokenizer.encode(text, true);
        int n = Math.min(cutoffLength, encoded.length + (eosId >= 0 ? 1 : 0));
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = i < encoded.length ? (int) encoded[i] : (int) eosId;
        }
        return new TokenizedSample(ids, ids.clone());
    }

    private TokenizedSample tokenizeChat(List<Segment> segments) {
        StringBuilder text = new StringBuilder();
        int segmentCount = segments.size();
        int[] segmentEnds = new int[segmentCount];
        for (int s = 0; s < segmentCount; s++) {
            text.append(segments.get(s).text());
            segmentEnds[s] = text.codePointCount(0, text.length());
        }
        Encoding encoding = tokenizer.encoding(text.toString(), !templateAddsSpecialTokens);
        long[] encoded = encoding.getIds();
        CharSpan[] spans = encoding.getCharTokenSpans();
        int n = Math.min(cutoffLength, encoded.length);
        int[] ids = new int[n];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = (int) encoded[i];
            boolean trainable =
                    trainOnPrompt
                            || (spans[i] != null
                                    && segments.get(segmentOf(spans[i].getStart(), segmentEnds))
                                            .trainable());
            labels[i] = trainable ? ids[i] : TokenizedSample.IGNORE;
        }
        return new TokenizedSample(ids, labels);
    }

    /** Index of the segment holding the code point at {@code offset}. */
    private static int segmentOf(int offset, int[] segmentEnds) {
        int found = Arrays.binarySearch(segmentEnds, offset);
        int index = found >= 0 ? found + 1 : -found - 1;
        return Math.min(index, segmentEnds.length - 1);
    }
}
