package io.kubetune.trainer.prompt;

import io.kubetune.api.v1alpha1.PromptTemplate;
import io.kubetune.trainer.data.Role;
import io.kubetune.trainer.data.Turn;
import io.kubetune.trainer.tokenizer.SpecialTokens;
import java.util.List;

/** Chooses the template a dataset asks for, given the model's tokenizer. */
public final class ChatTemplates {
    /**
     * @param writesSpecialTokens the model's own templates write BOS themselves, so the text is
     *     tokenized without adding special tokens (as apply_chat_template does)
     */
    public record Choice(ChatTemplate template, boolean writesSpecialTokens) {}

    private static final List<Turn> PROBE =
            List.of(new Turn(Role.USER, "Hello"), new Turn(Role.ASSISTANT, "Hi"));

    private ChatTemplates() {}

    /**
     * The template; a model's own one is rendered once here on a short conversation, so a template
     * that fails, hangs or floods fails now (one line, naming tokenizer_config.json) rather than in
     * the middle of a run. {@code model} without a template in the model falls back to ChatML with
     * a warning on stderr.
     */
    public static Choice choose(PromptTemplate requested, SpecialTokens tokens) {
        String eos = tokens.eos().map(SpecialTokens.Token::content).orElse("");
        return switch (requested) {
            case ALPACA -> new Choice(new AlpacaTemplate(eos), false);
            case VICUNA -> new Choice(new VicunaTemplate(eos), false);
            case CHATML -> new Choice(new ChatMlTemplate(), false);
            case NONE -> new Choice(new PlainTextTemplate(eos), false);
            case MODEL ->
                    tokens.chatTemplate()
                            .map(t -> model(t, tokens, eos))
                            .orElseGet(ChatTemplates::fallback);
        };
    }

    /** Renders the template on a two-turn conversation; throws what a bad template throws. */
    public static void check(ChatTemplate template) {
        template.render(PROBE, false);
        template.render(PROBE.subList(0, 1), true);
    }

    private static Choice model(String source, SpecialTokens tokens, String eos) {
        String bos = tokens.bos().map(SpecialTokens.Token::content).orElse("");
        JinjaChatTemplate template = JinjaChatTemplate.of(source, bos, eos);
        check(template);
        return new Choice(template, true);
    }

    private static Choice fallback() {
        System.err.println(
                "warning: template model, but the model's tokenizer_config.json has no"
                        + " chat_template: using chatml (name the template the adapter was trained"
                        + " with, e.g. alpaca, if it was another)");
        return new Choice(new ChatMlTemplate(), false);
    }
}
