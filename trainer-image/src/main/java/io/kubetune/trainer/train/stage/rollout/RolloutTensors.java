package io.kubetune.trainer.train.stage.rollout;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.kubetune.trainer.model.ModelInput;

/**
 * A rollout as one forward pass's arrays: prompts left-padded to a common width, completions
 * right-padded after them (TRL's layout), positions counted from each row's first real token (as
 * the tokens were sampled), and which completion positions are real.
 *
 * @param input ids {@code [rows, promptWidth + completionWidth]} with mask and positions
 * @param completionIds {@code [rows, completionWidth]} INT64, padded with the pad id
 * @param completionMask {@code [rows, completionWidth]} F32, 1 on real completion tokens
 * @param promptWidth the longest prompt: completion position t is sequence position {@code
 *     promptWidth + t}
 */
public record RolloutTensors(
        ModelInput input, NDArray completionIds, NDArray completionMask, int promptWidth) {

    /**
     * Lays out a rollout in {@code manager}.
     *
     * @param padId the id written in padding (masked out, so any id works)
     */
    public static RolloutTensors of(Rollout rollout, NDManager manager, long padId) {
        int rows = rollout.rows();
        int promptWidth = rollout.prompts().stream().mapToInt(p -> p.length).max().orElse(0);
        int completionWidth = Math.max(1, rollout.completions().maxLength());
        int width = promptWidth + completionWidth;
        long[] ids = new long[rows * width];
        long[] mask = new long[rows * width];
        long[] positions = new long[rows * width];
        long[] completionIds = new long[rows * completionWidth];
        float[] completionMask = new float[rows * completionWidth];
        java.util.Arrays.fill(ids, padId);
        java.util.Arrays.fill(completionIds, padId);
        for (int r = 0; r < rows; r++) {
            long[] prompt = rollout.prompts().get(r);
            long[] completion = rollout.completions().tokens()[r];
            int start = r * width + promptWidth - prompt.length;
            System.arraycopy(prompt, 0, ids, start, prompt.length);
            System.arraycopy(completion, 0, ids, r * width + promptWidth, completion.length);
            System.arraycopy(completion, 0, completionIds, r * completionWidth, completion.length);
            int real = prompt.length + completion.length;
            for (int i = 0; i < real; i++) {
                mask[start + i] = 1;
                positions[start + i] = i;
            }
            for (int t = 0; t < completion.length; t++) {
                completionMask[r * completionWidth + t] = 1;
            }
        }
        ModelInput input =
                new ModelInput(
                        manager.create(ids, new Shape(rows, width)),
                        manager.create(mask, new Shape(rows, width)),
                        manager.create(positions, new Shape(rows, width)),
                        null);
        return new RolloutTensors(
                input,
                manager.create(completionIds, new Shape(rows, completionWidth)),
                manager.create(completionMask, new Shape(rows, completionWidth)),
                promptWidth);
    }

    /** Returns how many completion positions each row has room for. */
    public int completionWidth() {
        return (int) completionIds.getShape().get(1);
    }

    /** Returns the completion mask's sum: how many completion tokens count. */
    public float completionTokens() {
        return completionMask.sum().toType(DataType.FLOAT32, false).getFloat();
    }
}
