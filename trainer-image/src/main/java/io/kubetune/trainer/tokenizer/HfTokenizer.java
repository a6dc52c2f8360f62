package io.kubetune.trainer.tokenizer;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.kubetune.trainer.UserInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A model folder's {@code tokenizer.json} through DJL's Hugging Face tokenizers, with its special
 * tokens.
 *
 * <p>Options are set explicitly because DJL's defaults differ from transformers': it truncates to
 * 512 tokens unless told not to, and pads batches with id 0.
 */
public final class HfTokenizer implements AutoCloseable {

    private static final Map<String, String> OPTIONS =
            Map.of(
                    "truncation", "false",
                    "padding", "false",
                    "addSpecialTokens", "true");

    private final HuggingFaceTokenizer tokenizer;
    private final SpecialTokens specialTokens;

    private HfTokenizer(HuggingFaceTokenizer tokenizer, SpecialTokens specialTokens) {
        this.tokenizer = tokenizer;
        this.specialTokens = specialTokens;
    }

    /**
     * Loads the tokenizer of a model folder.
     *
     * @param modelDir holds {@code tokenizer.json}
     * @return the tokenizer; close it to free the native tokenizer
     * @throws IOException if the files cannot be read
     */
    public static HfTokenizer load(Path modelDir) throws IOException {
        Path file = modelDir.resolve("tokenizer.json");
        if (!Files.exists(file)) {
            throw new UserInputException(
                    modelDir
                            + " has no tokenizer.json; kubetune needs the fast-tokenizer file"
                            + " (transformers writes it with tokenizer.save_pretrained)");
        }
        HuggingFaceTokenizer tokenizer;
        try {
            tokenizer = HuggingFaceTokenizer.newInstance(file, OPTIONS);
        } catch (RuntimeException e) {
            // The Rust parser's words say where the file stops making sense, not what it holds.
            throw new UserInputException(
                    file
                            + " is not a Hugging Face tokenizer file ("
                            + firstLine(e)
                            + "): copy the model's tokenizer.json again, or write it with"
                            + " transformers' tokenizer.save_pretrained",
                    e);
        }
        return new HfTokenizer(tokenizer, SpecialTokens.read(modelDir));
    }

    private static String firstLine(RuntimeException e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        String line = message.lines().findFirst().orElse("").strip();
        return line.length() > 120 ? line.substring(0, 120) + "..." : line;
    }

    /** Encodes text as transformers' {@code tokenizer(text)} does, special tokens included. */
    public long[] encode(String text) {
        return encode(text, true);
    }

    /**
     * Encodes text.
     *
     * @param text the text
     * @param addSpecialTokens whether the post-processor adds its tokens (such as a BOS)
     * @return the ids
     */
    public long[] encode(String text, boolean addSpecialTokens) {
        return tokenizer.encode(text, addSpecialTokens, false).getIds();
    }

    /**
     * Encodes text with each token's span, for mapping tokens back to the text they came from.
     * Spans count Unicode code points and are null for tokens the post-processor added.
     */
    public Encoding encoding(String text, boolean addSpecialTokens) {
        return tokenizer.encode(text, addSpecialTokens, false);
    }

    /**
     * Decodes ids.
     *
     * @param ids the ids
     * @param skipSpecialTokens whether special tokens are left out
     * @return the text
     */
    public String decode(long[] ids, boolean skipSpecialTokens) {
        return tokenizer.decode(ids, skipSpecialTokens);
    }

    /** Returns bos, eos, pad and the chat template. */
    public SpecialTokens specialTokens() {
        return specialTokens;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
