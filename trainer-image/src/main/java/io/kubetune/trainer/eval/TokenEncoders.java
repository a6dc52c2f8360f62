package io.kubetune.trainer.eval;

import io.kubetune.trainer.tokenizer.HfTokenizer;
import io.kubetune.trainer.tokenizer.SpecialTokens;
import java.util.Arrays;

/** {@link TokenEncoder}s from the trainer's tokenizers. */
public final class TokenEncoders {

    private TokenEncoders() {}

    /**
     * The model's tokenizer as lm-eval's Hugging Face model encodes with it: default special
     * tokens, none for text that already starts with the prefix token (BOS, else EOS).
     */
    public static TokenEncoder of(HfTokenizer tokenizer) {
        SpecialTokens special = tokenizer.specialTokens();
        String prefix =
                special.bos().or(special::eos).map(SpecialTokens.Token::content).orElse(null);
        return TokenEncoder.lmEvalStyle(
                (text, addSpecial) ->
                        Arrays.stream(tokenizer.encode(text, addSpecial))
                                .mapToInt(Math::toIntExact)
                                .toArray(),
                prefix);
    }
}
