package io.kubetune.trainer.bench;

/**
 * The floating-point work a training step must do, counting matmuls only: what a step needs, not
 * what an implementation happens to compute (no logits at masked positions, no gradients of frozen
 * weights, causal attention over the earlier half of the keys on average).
 */
public final class StepWork {
    private StepWork() {}

    /**
     * FLOPs of one LoRA SFT step: forward and the activations' backward through every layer (the
     * base weights are frozen, so no weight gradients), LoRA's own forward and backward, and the LM
     * head forward and backward at the labelled positions only.
     *
     * @param rows sequences in the step
     * @param seq tokens per sequence
     * @param labelled positions whose next token counts
     * @param rank LoRA rank on every linear layer but the head
     */
    public static double loraSft(ModelShape shape, int rows, int seq, long labelled, int rank) {
        return layers(shape, rows, seq, rank, true) + head(shape, labelled, true);
    }

    /**
     * FLOPs of one LoRA DPO step: the policy's as {@link #loraSft} on both rows of every pair, and
     * the reference's forward (the same model with adapters off: no LoRA, no backward).
     *
     * @param rows chosen plus rejected rows
     * @param labelled answer positions over all rows
     */
    public static double loraDpo(ModelShape shape, int rows, int seq, long labelled, int rank) {
        return loraSft(shape, rows, seq, labelled, rank)
                + layers(shape, rows, seq, 0, false)
                + head(shape, labelled, false);
    }

    private static double head(ModelShape shape, long labelled, boolean backward) {
        return (backward ? 2 : 1) * 2.0 * labelled * shape.hidden() * shape.vocab();
    }

    private static double layers(ModelShape shape, int rows, int seq, int rank, boolean backward) {
        double tokens = (double) rows * seq;
        long h = shape.hidden();
        long kv = (long) shape.kvHeads() * (h / shape.heads());
        long mlpMatrices = shape.arch().equals("gpt2") ? 2 : 3;
        // in + out of every linear layer: q, k, v, o, then the feed-forward's.
        long attentionWeights = h * h + 2 * h * kv + h * h;
        long attentionInOut = (h + h) + 2 * (h + kv) + (h + h);
        long mlpWeights = mlpMatrices * h * shape.intermediate();
        long mlpInOut = mlpMatrices * (h + shape.intermediate());
        double linear = 2 * tokens * (attentionWeights + mlpWeights);
        // Scores and weighted values, each query against seq/2 keys on average.
        double attention = 2 * tokens * seq * h;
        double lora = 2 * tokens * rank * (attentionInOut + mlpInOut);
        // Backward: input gradients (as much as forward) for linear and attention; LoRA's weight
        // gradients too.
        double perLayer =
                backward ? 2 * linear + 3 * attention + 3 * lora : linear + attention + lora;
        return shape.layers() * perLayer;
    }
}
