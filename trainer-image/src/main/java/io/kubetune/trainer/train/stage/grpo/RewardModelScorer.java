package io.kubetune.trainer.train.stage.grpo;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.kubetune.trainer.data.Role;
import io.kubetune.trainer.data.Turn;
import io.kubetune.trainer.model.ModelInput;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.prompt.ChatTemplate;
import io.kubetune.trainer.tokenizer.HfTokenizer;
import java.util.ArrayList;
import java.util.List;

/**
 * spec.rewardModel as one of GRPO's rewards, as TRL 1.16's GRPOTrainer scores with a model in
 * reward_funcs: the text (prompt + completion, or the reward tokenizer's chat template over the
 * prompt's turns and the completion as the assistant's) tokenized by the REWARD model's tokenizer
 * without special tokens, right-padded, and the sequence-classification score read at each row's
 * last non-pad token. Without gradients (it runs before the step's gradient collector), in batches.
 */
final class RewardModelScorer {
    private final PretrainedModel model;
    private final HfTokenizer tokenizer;
    private final ChatTemplate template;
    private final String name;
    private final double weight;
    private final int batchSize;

    /**
     * @param model the reward model, frozen; its owner closes it
     * @param tokenizer its own tokenizer
     * @param template the reward tokenizer's chat template for conversational prompts, or null
     * @param name the metric name rewards/&lt;name&gt;/mean
     * @param weight its weight in the sum of rewards
     * @param batchSize rows per forward pass
     */
    RewardModelScorer(
            PretrainedModel model,
            HfTokenizer tokenizer,
            ChatTemplate template,
            String name,
            double weight,
            int batchSize) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.template = template;
        this.name = name;
        this.weight = weight;
        this.batchSize = Math.max(1, batchSize);
    }

    String name() {
        return name;
    }

    double weight() {
        return weight;
    }

    /** The text TRL's _calculate_rewards gives a reward model for one completion. */
    String text(PromptBatch.Prompt prompt, String completion) {
        if (prompt.messages() == null || template == null) {
            return prompt.text() + completion;
        }
        List<Turn> turns = new ArrayList<>(prompt.messages());
        turns.add(new Turn(Role.ASSISTANT, completion, null));
        return template.render(turns, false);
    }

    /** One score per text, in order. */
    float[] score(List<String> texts) {
        float[] out = new float[texts.size()];
        long pad = tokenizer.specialTokens().paddingId();
        for (int from = 0; from < texts.size(); from += batchSize) {
            int rows = Math.min(batchSize, texts.size() - from);
            long[][] ids = new long[rows][];
            int width = 1;
            for (int r = 0; r < rows; r++) {
                ids[r] = tokenizer.encode(texts.get(from + r), false);
                width = Math.max(width, ids[r].length);
            }
            long[] flat = new long[rows * width];
            long[] mask = new long[rows * width];
            long[] positions = new long[rows * width];
            for (int r = 0; r < rows; r++) {
                for (int t = 0; t < width; t++) {
                    boolean real = t < ids[r].length;
                    flat[r * width + t] = real ? ids[r][t] : pad;
                    mask[r * width + t] = real ? 1 : 0;
                    positions[r * width + t] = t;
                }
            }
            try (NDManager pass = model.manager().newSubManager()) {
                ModelInput input =
                        new ModelInput(
                                pass.create(flat, new Shape(rows, width)),
                                pass.create(mask, new Shape(rows, width)),
                                pass.create(positions, new Shape(rows, width)),
                                null);
                // transformers' *ForSequenceClassification: the last token that is not the pad.
                float[] scores =
                        model.block()
                                .forward(model.parameterStore(), input, false)
                                .scores(pad)
                                .toFloatArray();
                System.arraycopy(scores, 0, out, from, rows);
            }
        }
        return out;
    }
}
