package io.kubetune.trainer.eval;

import io.kubetune.trainer.tokenizer.HfTokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;

/** Fixture tokenizers, through the trainer's HfTokenizer and {@link TokenEncoders}. */
public final class TestTokenizers {

    private static final Map<String, TokenEncoder> ENCODERS = new HashMap<>();

    private TestTokenizers() {}

    /** The fixture model's tokenizer (checked to be the one the reference was made with). */
    public static synchronized TokenEncoder encoder(String model) {
        return ENCODERS.computeIfAbsent(
                model,
                m -> {
                    try {
                        // Loaded once per test run and never closed: the native tokenizer is small.
                        return TokenEncoders.of(
                                HfTokenizer.load(Fixtures.tokenizer(m).getParent()));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
    }
}
