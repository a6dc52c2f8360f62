package io.kubetune.trainer.train.stage.ppo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.kubetune.trainer.model.ModelOutput;

/**
 * What PPO reads from a model with a score head (TRL's get_reward): the value model's score at
 * every position that predicts a response token, and the reward model's score at each response's
 * last real token (the one before its first pad).
 */
public final class ScoreReadout {
    private ScoreReadout() {}

    /**
     * @param output a pass of the value model over {@code rows}
     * @return [B, L] the values V(s_t) before each response token
     */
    public static NDArray values(ModelOutput output, QueryResponses rows) {
        return output.tokenScores().get(rows.predictingPositions());
    }

    /**
     * @param output a pass of the reward model over {@code rows}, responses truncated after stop
     * @param padTokenId the pad id
     * @return [B] the scores
     */
    public static NDArray scores(ModelOutput output, QueryResponses rows, long padTokenId) {
        long[] responses = rows.responses().toLongArray();
        int length = rows.responseLength();
        int batch = responses.length / Math.max(1, length);
        long[] at = new long[batch];
        for (int b = 0; b < batch; b++) {
            int firstPad = length;
            for (int t = 0; t < length; t++) {
                if (responses[b * length + t] == padTokenId) {
                    firstPad = t;
                    break;
                }
            }
            at[b] = rows.contextLength() + firstPad - 1L;
        }
        NDManager manager = output.hidden().getManager();
        NDArray index = manager.create(at).reshape(batch, 1);
        return output.tokenScores().gather(index, 1).reshape(batch);
    }
}
