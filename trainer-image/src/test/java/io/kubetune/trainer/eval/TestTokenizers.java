package io.kubetune.trainer.eval;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Map;

/** Fixture tokenizers through DJL, as lm-eval's Hugging Face model encodes with them. */
public final class TestTokenizers {

    // DJL truncates to 512 tokens and pads unless told otherwise; transformers does neither.
    private static final Map<String, String> OPTIONS =
            Map.of("truncation", "false", "padding", "false", "addSpecialTokens", "true");

    private TestTokenizers() {}

    /** The fixture model's tokenizer; prefix token as lm-eval picks it (BOS, else EOS). */
    public static TokenEncoder encoder(String model) {
        try {
            HuggingFaceTokenizer tokenizer =
                    HuggingFaceTokenizer.newInstance(Fixtures.tokenizer(model), OPTIONS);
            String prefix = model.equals("llama") ? "<|begin_of_text|>" : "<|endoftext|>";
            return TokenEncoder.lmEvalStyle(
                    (text, special) ->
                            Arrays.stream(tokenizer.encode(text, special, false).getIds())
                                    .mapToInt(Math::toIntExact)
                                    .toArray(),
                    prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
