package io.kubetune.trainer.train.stage.ppo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/**
 * Which response positions count, as TRL's PPOTrainer derives them from the responses truncated
 * after the stop token.
 *
 * <p>A row's {@code sequenceLength} is the index of its last real token (the stop token included),
 * the row's length − 1 when nothing was padded, −1 when the whole response is padding. {@code
 * padding} marks the positions after it (log-probs there are set to {@link #INVALID_LOGPROB}, and
 * the policy loss skips them); {@code paddingP1} marks those after the next one, since the values
 * and the value loss keep one position more: the score is added there (TRL's padding_mask_p1).
 *
 * @param sequenceLengths [B] int64
 * @param padding [B, L] boolean
 * @param paddingP1 [B, L] boolean
 */
public record ResponseMasks(NDArray sequenceLengths, NDArray padding, NDArray paddingP1) {
    /** What TRL writes into log-probs at padded positions, so their log-ratios are 0. */
    public static final float INVALID_LOGPROB = 1.0f;

    /**
     * Replaces every token after the first stop token with the pad token (TRL's truncate_response).
     *
     * @param responses [B, L] token ids
     * @param stopTokenId the stop token, kept in the response
     * @param padTokenId the pad token
     */
    public static long[][] truncateAfterStop(
            long[][] responses, long stopTokenId, long padTokenId) {
        long[][] out = new long[responses.length][];
        for (int b = 0; b < responses.length; b++) {
            out[b] = responses[b].clone();
            boolean stopped = false;
            for (int t = 0; t < out[b].length; t++) {
                if (stopped) {
                    out[b][t] = padTokenId;
                }
                stopped |= responses[b][t] == stopTokenId;
            }
        }
        return out;
    }

    /**
     * @param responses [B, L] token ids, truncated after the stop token
     * @param padTokenId the pad token: a row's response ends before its first pad
     */
    public static ResponseMasks of(long[][] responses, long padTokenId, NDManager manager) {
        long[] lengths = new long[responses.length];
        for (int b = 0; b < responses.length; b++) {
            int firstPad = responses[b].length;
            for (int t = 0; t < responses[b].length; t++) {
                if (responses[b][t] == padTokenId) {
                    firstPad = t;
                    break;
                }
            }
            lengths[b] = firstPad - 1L;
        }
        return of(manager.create(lengths), responses.length == 0 ? 0 : responses[0].length);
    }

    /**
     * @param sequenceLengths [B] int64, index of each row's last real token
     * @param length the response length L
     */
    public static ResponseMasks of(NDArray sequenceLengths, int length) {
        NDManager manager = sequenceLengths.getManager();
        NDArray positions = manager.arange(0, length, 1, DataType.INT64).reshape(1, length);
        NDArray last = sequenceLengths.reshape(-1, 1);
        return new ResponseMasks(
                sequenceLengths, positions.gt(last), positions.gt(last.add(manager.create(1L))));
    }

    /** Rows × response length. */
    public long rows() {
        return padding.getShape().get(0);
    }

    /** Where a response token counts for the policy (the complement of {@link #padding}). */
    public NDArray tokens() {
        return padding.logicalNot();
    }

    /** Where a value counts for the value loss (the complement of {@link #paddingP1}). */
    public NDArray valueTokens() {
        return paddingP1.logicalNot();
    }
}
