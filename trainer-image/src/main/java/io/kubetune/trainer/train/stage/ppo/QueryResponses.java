package io.kubetune.trainer.train.stage.ppo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.kubetune.trainer.model.ModelInput;
import io.kubetune.trainer.model.ModelOutput;
import io.kubetune.trainer.train.stage.rollout.TokenLogps;

/**
 * Prompts (left-padded to {@code contextLength}) followed by their responses, as one forward pass
 * reads them in TRL's PPOTrainer (its {@code forward}): attention on every non-pad token, positions
 * counted from each row's first real token, pad ids replaced by 0.
 *
 * @param input the model input
 * @param contextLength the prompt width: response token t is sequence position contextLength + t
 * @param responses [B, L] INT64 the response ids as given (pads kept)
 */
public record QueryResponses(ModelInput input, int contextLength, NDArray responses) {

    /**
     * @param rows [B, contextLength + L] prompt and response ids
     */
    public static QueryResponses of(
            long[][] rows, int contextLength, long padTokenId, NDManager manager) {
        int batch = rows.length;
        int width = rows[0].length;
        long[] ids = new long[batch * width];
        long[] mask = new long[batch * width];
        long[] positions = new long[batch * width];
        long[] responses = new long[batch * (width - contextLength)];
        for (int b = 0; b < batch; b++) {
            long seen = 0;
            for (int t = 0; t < width; t++) {
                boolean real = rows[b][t] != padTokenId;
                int at = b * width + t;
                ids[at] = real ? rows[b][t] : 0;
                mask[at] = real ? 1 : 0;
                seen += mask[at];
                // cumsum(mask) − mask: a pad takes the position of the next real token
                positions[at] = seen - mask[at];
                if (t >= contextLength) {
                    responses[b * (width - contextLength) + t - contextLength] = rows[b][t];
                }
            }
        }
        ModelInput input =
                new ModelInput(
                        manager.create(ids, new Shape(batch, width)),
                        manager.create(mask, new Shape(batch, width)),
                        manager.create(positions, new Shape(batch, width)),
                        null);
        return new QueryResponses(
                input,
                contextLength,
                manager.create(responses, new Shape(batch, width - contextLength)));
    }

    /**
     * The response tokens' log-probabilities as TRL's PPOTrainer takes them: logits at the
     * positions before each response token divided by temperature + 1e-7, log-softmax, the sampled
     * token's entry ({@code [B, L]}, differentiable when the pass is), and each position's entropy.
     */
    public TokenLogps logprobs(ModelOutput output, double temperature) {
        return TokenLogps.at(
                output,
                output.hidden().get(predictingPositions() + ", :"),
                responses,
                temperature + PpoSettings.TEMPERATURE_EPSILON);
    }

    /** The response length L. */
    public int responseLength() {
        return (int) responses.getShape().get(1);
    }

    /** The positions whose outputs predict the response tokens: contextLength − 1 .. T − 2. */
    String predictingPositions() {
        int start = contextLength - 1;
        return ":, " + start + ":" + (start + responseLength());
    }
}
