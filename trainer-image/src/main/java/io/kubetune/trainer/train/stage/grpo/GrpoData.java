package io.kubetune.trainer.train.stage.grpo;

import io.kubetune.api.v1alpha1.DatasetSpec;
import io.kubetune.api.v1alpha1.FineTuneJobSpec;
import io.kubetune.api.v1alpha1.PromptTemplate;
import io.kubetune.api.v1alpha1.TrainingSpec;
import io.kubetune.trainer.data.DatasetLoader;
import io.kubetune.trainer.data.Role;
import io.kubetune.trainer.data.Sample;
import io.kubetune.trainer.data.Turn;
import io.kubetune.trainer.prompt.ChatTemplates;
import io.kubetune.trainer.tokenizer.HfTokenizer;
import io.kubetune.trainer.train.FineTuneRun;
import io.kubetune.trainer.train.stage.StageData;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Stage grpo's data: the prompts of format prompt, through the dataset's template with the
 * generation prompt (a text prompt is one user turn), or as they are with the tokenizer's special
 * tokens under template none (TRL's treatment of text prompts), held-out prompts for evaluation,
 * and a few of them as probes answered before and after.
 */
public final class GrpoData {
    private static final int PROBES = 3;

    private GrpoData() {}

    static StageData<PromptBatch> prepare(
            FineTuneJobSpec spec,
            FineTuneRun.Inputs inputs,
            HfTokenizer tokenizer,
            GrpoSettings settings,
            List<RewardRule> rules)
            throws IOException {
        return prepare(
                spec,
                inputs,
                tokenizer,
                Math.max(1, spec.training.batchSize / settings.numGenerations()),
                settings.maxCompletionLength(),
                rules);
    }

    /**
     * The prompts as stage ppo reads them too (one answer per prompt, no rule rewards).
     *
     * @param perBatch prompts per micro-batch
     * @param maxCompletionLength room kept after each prompt for its answer
     * @param rules whose answer columns every record must hold (may be empty)
     */
    public static StageData<PromptBatch> prepare(
            FineTuneJobSpec spec,
            FineTuneRun.Inputs inputs,
            HfTokenizer tokenizer,
            int perBatch,
            int maxCompletionLength,
            List<RewardRule> rules)
            throws IOException {
        List<PromptBatch.Prompt> train = new ArrayList<>();
        for (int d = 0; d < spec.datasets.size(); d++) {
            train.addAll(
                    read(
                            spec,
                            d,
                            spec.datasets.get(d),
                            inputs.dataFiles().get(d),
                            tokenizer,
                            maxCompletionLength,
                            rules));
        }
        List<PromptBatch.Prompt> validation = List.of();
        if (spec.validation != null && spec.validation.uri != null) {
            validation =
                    read(
                            spec,
                            0,
                            spec.datasets.get(0),
                            inputs.validationFile(),
                            tokenizer,
                            maxCompletionLength,
                            rules);
        } else if (spec.validation != null) {
            // A seeded draw, so a resumed run holds out the same prompts.
            List<PromptBatch.Prompt> shuffled = new ArrayList<>(train);
            Collections.shuffle(shuffled, new Random(spec.training.seed));
            int count =
                    (int) Math.round(shuffled.size() * Double.parseDouble(spec.validation.ratio));
            validation = shuffled.subList(0, count);
            train = shuffled.subList(count, shuffled.size());
        }
        if (train.isEmpty()) {
            throw new IllegalArgumentException(
                    "spec.datasets: no prompts are left to train on; check the data and validation");
        }
        TrainingSpec t = spec.training;
        PromptPlan plan =
                new PromptPlan(
                        train, perBatch, t.gradientAccumulationSteps, t.seed, t.epochs, t.maxSteps);
        return new StageData<>(
                plan, PromptPlan.inBatches(validation, perBatch), probes(validation, rules));
    }

    private static List<PromptBatch.Prompt> read(
            FineTuneJobSpec spec,
            int index,
            DatasetSpec dataset,
            Path file,
            HfTokenizer tokenizer,
            int maxCompletionLength,
            List<RewardRule> rules)
            throws IOException {
        ChatTemplates.Choice template =
                dataset.template == PromptTemplate.NONE
                        ? null
                        : ChatTemplates.choose(dataset.template, tokenizer.specialTokens());
        // Room for the completion: a longer prompt keeps its end, where the question is.
        int room = Math.max(1, spec.training.cutoffLength - maxCompletionLength);
        List<PromptBatch.Prompt> out = new ArrayList<>();
        int row = 0;
        for (Sample sample : DatasetLoader.load(dataset, file).samples()) {
            Sample.Prompt prompt = (Sample.Prompt) sample;
            row++;
            for (RewardRule rule : rules) {
                if (rule.column() != null && !prompt.columns().containsKey(rule.column())) {
                    throw new IllegalArgumentException(
                            "spec.datasets["
                                    + index
                                    + "]: record "
                                    + row
                                    + " has no column \""
                                    + rule.column()
                                    + "\" for the "
                                    + rule.name()
                                    + " reward; set grpo.rewards[].column to the answer's column");
                }
            }
            long[] ids = encode(prompt, template, tokenizer);
            if (ids.length > room) {
                ids = Arrays.copyOfRange(ids, ids.length - room, ids.length);
            }
            out.add(
                    new PromptBatch.Prompt(
                            ids,
                            text(prompt),
                            prompt.columns(),
                            template == null ? null : List.copyOf(prompt.prompt())));
        }
        return out;
    }

    private static long[] encode(
            Sample.Prompt prompt, ChatTemplates.Choice template, HfTokenizer tokenizer) {
        if (template == null) {
            return tokenizer.encode(text(prompt), true);
        }
        String rendered = template.template().render(prompt.prompt(), true);
        return tokenizer.encode(rendered, !template.writesSpecialTokens());
    }

    private static String text(Sample.Prompt prompt) {
        return prompt.prompt().get(prompt.prompt().size() - 1).content();
    }

    // Held-out prompts with their reference answer, for generations.jsonl before and after.
    private static List<Sample.Chat> probes(
            List<PromptBatch.Prompt> validation, List<RewardRule> rules) {
        String column =
                rules.stream()
                        .map(RewardRule::column)
                        .filter(c -> c != null)
                        .findFirst()
                        .orElse(null);
        List<Sample.Chat> out = new ArrayList<>();
        for (PromptBatch.Prompt p : validation.subList(0, Math.min(PROBES, validation.size()))) {
            String reference = column == null ? "" : p.columns().getOrDefault(column, "");
            out.add(
                    new Sample.Chat(
                            List.of(
                                    new Turn(Role.USER, p.text()),
                                    new Turn(Role.ASSISTANT, reference))));
        }
        return out;
    }
}
