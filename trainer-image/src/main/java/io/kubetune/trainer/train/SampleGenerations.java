package io.kubetune.trainer.train;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import io.kubetune.trainer.data.Role;
import io.kubetune.trainer.data.Sample;
import io.kubetune.trainer.data.Turn;
import io.kubetune.trainer.generate.GenerationConfig;
import io.kubetune.trainer.generate.Generator;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.prompt.ChatTemplates;
import io.kubetune.trainer.tokenizer.HfTokenizer;
import io.kubetune.trainer.tokenizer.SpecialTokens;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Greedy answers to a few held-out prompts, before and after training, so a user sees what the run
 * changed. Written to {@code generations.jsonl}.
 */
public final class SampleGenerations {
    private static final int MAX_NEW_TOKENS = 48;

    /** One prompt, the reference answer from the data, and what the model said. */
    public record Generation(String stage, String prompt, String reference, String answer) {}

    private final List<Sample.Chat> probes;
    private final ChatTemplates.Choice template;

    SampleGenerations(List<Sample.Chat> probes, ChatTemplates.Choice template) {
        this.probes = List.copyOf(probes);
        this.template = template;
    }

    private static String withoutEos(String text, HfTokenizer tokenizer) {
        String eos = tokenizer.specialTokens().eos().map(SpecialTokens.Token::content).orElse(null);
        String answer = text.strip();
        return eos != null && answer.endsWith(eos)
                ? answer.substring(0, answer.length() - eos.length()).strip()
                : answer;
    }

    List<Generation> generate(
            String stage, PretrainedModel model, HfTokenizer tokenizer, Path outputDir)
            throws IOException {
        Generator generator = new Generator(model, tokenizer);
        GenerationConfig.Builder config =
                GenerationConfig.builder().optMaxNewTokens(MAX_NEW_TOKENS);
        tokenizer
                .specialTokens()
                .eos()
                .map(SpecialTokens.Token::id)
                .ifPresent(id -> config.optEosTokenIds(Set.of(id)));
        List<Generation> out = new ArrayList<>();
        for (Sample.Chat chat : probes) {
            List<Turn> turns = chat.turns();
            int last = turns.size() - 1;
            String prompt = template.template().render(turns.subList(0, last), true);
            long[] ids = tokenizer.encode(prompt, !template.writesSpecialTokens());
            String answer = withoutEos(generator.generate(ids, config.build()).text(), tokenizer);
            String question =
                    turns.stream()
                            .filter(t -> t.role() == Role.USER)
                            .reduce((a, b) -> b)
                            .map(Turn::text)
                            .orElse("");
            out.add(new Generation(stage, question, turns.get(last).content(), answer));
        }
        if (out.isEmpty()) {
            return out;
        }
        Gson gson = new Gson();
        StringBuilder lines = new StringBuilder();
        for (Generation g : out) {
            JsonObject line = new JsonObject();
            line.addProperty("stage", g.stage());
            line.addProperty("prompt", g.prompt());
            line.addProperty("reference", g.reference());
            line.addProperty("answer", g.answer());
            lines.append(gson.toJson(line)).append('\n');
        }
        Files.writeString(
                outputDir.resolve("generations.jsonl"),
                lines,
                StandardCharsets.UTF_8,
                StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        return out;
    }
}
