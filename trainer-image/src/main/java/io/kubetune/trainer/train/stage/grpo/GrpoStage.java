package io.kubetune.trainer.train.stage.grpo;

import io.kubetune.api.v1alpha1.DataFormat;
import io.kubetune.api.v1alpha1.FineTuneJobSpec;
import io.kubetune.api.v1alpha1.PromptTemplate;
import io.kubetune.api.v1alpha1.RuleReward;
import io.kubetune.api.v1alpha1.Stage;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.prompt.ChatTemplate;
import io.kubetune.trainer.prompt.ChatTemplates;
import io.kubetune.trainer.tokenizer.HfTokenizer;
import io.kubetune.trainer.tokenizer.SpecialTokens;
import io.kubetune.trainer.train.FineTuneRun;
import io.kubetune.trainer.train.stage.Objective;
import io.kubetune.trainer.train.stage.StageContext;
import io.kubetune.trainer.train.stage.StageData;
import io.kubetune.trainer.train.stage.TrainingStage;
import io.kubetune.trainer.train.stage.rewardmodel.RewardModelFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.PatternSyntaxException;

/**
 * {@code grpo}: the policy answers each prompt numGenerations times, built-in rule rewards and/or a
 * reward model (spec.rewardModel, scored as TRL does, with its own tokenizer) score the answers,
 * and answers better than their group's mean are made more likely (TRL 1.16's GRPOTrainer, one
 * iteration per generation batch). No reference model unless beta > 0; then the base with the
 * adapters off under LoRA, a frozen copy otherwise.
 */
public final class GrpoStage implements TrainingStage<PromptBatch> {
    private HfTokenizer tokenizer;
    private RewardModelFiles rewardModelFiles;

    @Override
    public Stage stage() {
        return Stage.GRPO;
    }

    @Override
    public void validate(FineTuneJobSpec spec) {
        boolean rules =
                spec.grpo != null && spec.grpo.rewards != null && !spec.grpo.rewards.isEmpty();
        if (!rules && !hasRewardModel(spec)) {
            throw new IllegalArgumentException(
                    "spec.grpo.rewards: none given and no spec.rewardModel; stage grpo needs at"
                            + " least one reward, e.g. - type: exactMatch, column: answer, or"
                            + " spec.rewardModel.uri");
        }
        if (spec.grpo != null && spec.grpo.rewardModelWeight != null) {
            try {
                Double.parseDouble(spec.grpo.rewardModelWeight);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        "spec.grpo.rewardModelWeight: "
                                + spec.grpo.rewardModelWeight
                                + " is not a number; use e.g. \"0.5\"");
            }
            // The CRD defaults it to 1, so only another value says the user meant a reward model.
            if (!hasRewardModel(spec) && Double.parseDouble(spec.grpo.rewardModelWeight) != 1) {
                throw new IllegalArgumentException(
                        "spec.grpo.rewardModelWeight: "
                                + spec.grpo.rewardModelWeight
                                + " weighs a reward model, but there is no spec.rewardModel; set"
                                + " spec.rewardModel.uri (or fineTuneJobRef) or remove the weight");
            }
        }
        GrpoSettings settings = GrpoSettings.of(spec.grpo);
        if (settings.numGenerations() < 2) {
            throw new IllegalArgumentException(
                    "spec.grpo.numGenerations: "
                            + settings.numGenerations()
                            + " gives no group to compare with; use 2 or more (TRL's default 8)");
        }
        if (settings.topP() <= 0 || settings.topP() > 1) {
            throw new IllegalArgumentException(
                    "spec.grpo.topP: " + spec.grpo.topP + " is not in (0, 1]; use e.g. \"0.95\"");
        }
        if (settings.temperature() <= 0) {
            throw new IllegalArgumentException(
                    "spec.grpo.temperature: "
                            + spec.grpo.temperature
                            + " must be above 0 to sample; use e.g. \"1.0\"");
        }
        int batch = spec.training.batchSize;
        if (batch % settings.numGenerations() != 0) {
            throw new IllegalArgumentException(
                    "spec.training.batchSize: "
                            + batch
                            + " completions is not a multiple of grpo.numGenerations "
                            + settings.numGenerations()
                            + "; set batchSize to a multiple of it");
        }
        for (int d = 0; d < spec.datasets.size(); d++) {
            if (spec.datasets.get(d).format != DataFormat.PROMPT) {
                throw new IllegalArgumentException(
                        "spec.datasets["
                                + d
                                + "].format: stage grpo reads format prompt ({prompt, answer"
                                + " columns}); set format: prompt");
            }
        }
        for (int i = 0; i < settings.rewards().size(); i++) {
            RuleReward r = settings.rewards().get(i);
            try {
                RewardRule.of(r, settings.maxCompletionLength());
            } catch (PatternSyntaxException | NullPointerException e) {
                throw new IllegalArgumentException(
                        "spec.grpo.rewards["
                                + i
                                + "].pattern: "
                                + r.pattern
                                + " is not a regular expression; fix it ("
                                + e.getMessage().lines().findFirst().orElse("")
                                + ")");
            }
            Double.parseDouble(r.weight == null ? "1" : r.weight);
        }
    }

    /** As TRL logs them: the mean reward and its spread. */
    @Override
    public List<String> mainMetrics() {
        return List.of("reward", "reward_std");
    }

    @Override
    public StageData<PromptBatch> prepare(
            FineTuneJobSpec spec, FineTuneRun.Inputs inputs, HfTokenizer tokenizer)
            throws IOException {
        this.tokenizer = tokenizer;
        if (hasRewardModel(spec)) {
            rewardModelFiles = RewardModelFiles.of(spec, inputs);
            rewardModelFiles.tokenizerDir();
        }
        GrpoSettings settings = GrpoSettings.of(spec.grpo);
        return GrpoData.prepare(spec, inputs, tokenizer, settings, rules(settings));
    }

    @Override
    public Objective<PromptBatch> objective(StageContext context) {
        GrpoSettings settings = GrpoSettings.of(context.spec().grpo);
        List<RuleReward> specs = settings.rewards();
        double[] weights = new double[specs.size()];
        for (int i = 0; i < weights.length; i++) {
            String w = specs.get(i).weight;
            weights[i] = w == null || w.isBlank() ? 1 : Double.parseDouble(w);
        }
        SpecialTokens special = tokenizer.specialTokens();
        return new GrpoObjective(
                settings,
                new RolloutScorer(
                        rules(settings),
                        weights,
                        settings,
                        tokenizer,
                        rewardModelScorer(context, settings)),
                settings.beta() != 0 ? context.referenceModel() : null,
                special.paddingId(),
                eosIds(context, special),
                new RolloutLog(context, tokenizer));
    }

    private static boolean hasRewardModel(FineTuneJobSpec spec) {
        return spec.rewardModel != null
                && (spec.rewardModel.uri != null || spec.rewardModel.fineTuneJobRef != null);
    }

    // spec.rewardModel, frozen, with its own tokenizer (and chat template for templated
    // prompts), closed with the run; null without one.
    private RewardModelScorer rewardModelScorer(StageContext context, GrpoSettings settings) {
        if (rewardModelFiles == null) {
            return null;
        }
        try {
            PretrainedModel model = context.own(rewardModelFiles.loadFrozen(context.model()));
            HfTokenizer rmTokenizer =
                    context.own(HfTokenizer.load(rewardModelFiles.tokenizerDir()));
            boolean templated =
                    context.spec().datasets.stream()
                            .anyMatch(d -> d.template != PromptTemplate.NONE);
            ChatTemplate template =
                    templated
                            ? ChatTemplates.choose(
                                            PromptTemplate.MODEL, rmTokenizer.specialTokens())
                                    .template()
                            : null;
            return new RewardModelScorer(
                    model,
                    rmTokenizer,
                    template,
                    rewardModelFiles.metricName(),
                    settings.rewardModelWeight(),
                    Math.max(1, context.spec().training.batchSize));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<RewardRule> rules(GrpoSettings settings) {
        List<RewardRule> out = new ArrayList<>();
        settings.rewards().forEach(r -> out.add(RewardRule.of(r, settings.maxCompletionLength())));
        return out;
    }

    /** The tokenizer's EOS and the model config's eos_token_id (a number or a list). */
    public static Set<Long> eosIds(StageContext context, SpecialTokens special) {
        Set<Long> ids = new LinkedHashSet<>();
        special.eos().ifPresent(t -> ids.add(t.id()));
        context.model()
                .config()
                .optRaw("eos_token_id")
                .ifPresent(
                        e -> {
                            if (e.isJsonArray()) {
                                e.getAsJsonArray().forEach(id -> ids.add(id.getAsLong()));
                            } else if (!e.isJsonNull()) {
                                ids.add(e.getAsLong());
                            }
                        });
        return ids;
    }
}
