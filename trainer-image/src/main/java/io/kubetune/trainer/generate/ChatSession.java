package io.kubetune.trainer.generate;

import io.kubetune.trainer.data.Role;
import io.kubetune.trainer.data.Turn;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.prompt.ChatTemplates;
import io.kubetune.trainer.tokenizer.HfTokenizer;
import io.kubetune.trainer.tokenizer.SpecialTokens;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A conversation with a model: each message is added to the turns so far, the whole is rendered
 * with the template and answered, and the answer joins the turns. Generation stops at the model's
 * EOS (from {@code generation_config.json} and the tokenizer) or the template's end of turn, and
 * neither is part of the answer. Without a template each message is raw text, on its own.
 */
public final class ChatSession {
    private final Generator generator;
    private final HfTokenizer tokenizer;
    private final ChatTemplates.Choice template;
    private final GenerationConfig config;
    private final List<Turn> turns = new ArrayList<>();

    /**
     * @param template the template, or null for raw text
     * @param config sampling settings; stop tokens and strings are added here
     */
    public ChatSession(
            PretrainedModel model,
            HfTokenizer tokenizer,
            ChatTemplates.Choice template,
            GenerationConfig.Builder config,
            Path modelDir)
            throws IOException {
        this.generator = new Generator(model, tokenizer);
        this.tokenizer = tokenizer;
        this.template = template;
        config.optEosTokenIds(eosIds(modelDir, tokenizer));
        if (template != null) {
            config.optStopStrings(template.template().stopStrings());
        }
        this.config = config.build();
    }

    /** The model's answer to {@code message}, given the conversation so far. */
    public String reply(String message) {
        long[] prompt;
        if (template == null) {
            prompt = tokenizer.encode(message, true);
        } else {
            turns.add(new Turn(Role.USER, message));
            String text = template.template().render(turns, true);
            prompt = tokenizer.encode(text, !template.writesSpecialTokens());
        }
        String answer = answer(generator.generate(prompt, config));
        if (template != null) {
            turns.add(new Turn(Role.ASSISTANT, answer));
        }
        return answer;
    }

    /** Forgets the conversation. */
    public void reset() {
        turns.clear();
    }

    private String answer(GenerationResult result) {
        long[] tokens = result.tokens();
        if (result.stopReason() == GenerationResult.StopReason.EOS) {
            tokens = Arrays.copyOf(tokens, tokens.length - 1);
        }
        String text = tokenizer.decode(tokens, false);
        for (String stop : config.stopStrings()) {
            int at = text.indexOf(stop);
            if (at >= 0) {
                text = text.substring(0, at);
            }
        }
        return text.strip();
    }

    /** generation_config.json's eos_token_id(s) and the tokenizer's EOS. */
    static Set<Long> eosIds(Path modelDir, HfTokenizer tokenizer) throws IOException {
        Set<Long> ids =
                new LinkedHashSet<>(GenerationConfig.builder(modelDir).build().eosTokenIds());
        tokenizer.specialTokens().eos().map(SpecialTokens.Token::id).ifPresent(ids::add);
        return ids;
    }
}
