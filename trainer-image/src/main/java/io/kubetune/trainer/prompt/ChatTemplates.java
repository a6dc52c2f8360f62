package io.kubetune.trainer.prompt;

import io.kubetune.api.v1alpha1.PromptTemplate;
import io.kubetune.trainer.tokenizer.SpecialTokens;

/** Chooses the template a dataset asks for, given the model's tokenizer. */
public final class ChatTemplates {
    /**
     * @param writesSpecialTokens the model's own templates write BOS themselves, so the text is
     *     tokenized without adding special tokens (as apply_chat_template does)
     */
    public record Choice(ChatTemplate template, boolean writesSpecialTokens) {}

    private ChatTemplates() {}

    public static Choice choose(PromptTemplate requested, SpecialTokens tokens) {
        String eos = tokens.eos().map(SpecialTokens.Token::content).orElse("");
        return switch (requested) {
            case ALPACA -> new Choice(new AlpacaTemplate(eos), false);
            case VICUNA -> new Choice(new VicunaTemplate(eos), false);
            case CHATML -> new Choice(new ChatMlTemplate(), false);
            case NONE -> new Choice(new PlainTextTemplate(eos), false);
            case MODEL ->
                    tokens.chatTemplate()
                            .<Choice>map(
                                    source ->
                                            new Choice(
                                                    JinjaChatTemplate.of(
                                                            source,
                                                            tokens.bos()
                                                                    .map(
                                                                            SpecialTokens.Token
                                                                                    ::content)
                                                                    .orElse(""),
                                                            eos),
                                                    true))
                            .orElseGet(() -> new Choice(new ChatMlTemplate(), false));
        };
    }
}
