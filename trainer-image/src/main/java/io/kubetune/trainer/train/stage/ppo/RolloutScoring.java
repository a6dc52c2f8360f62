package io.kubetune.trainer.train.stage.ppo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.train.stage.ReferenceModel;

/**
 * Scores sampled responses as TRL's PPOTrainer does between sampling and training, without
 * gradients: the reference's log-probs and the values on the responses as sampled, the reward
 * model's score on the responses truncated after the stop token (less the missing-EOS penalty),
 * then {@link RolloutAdvantages}.
 */
public final class RolloutScoring {
    /**
     * A scored rollout batch.
     *
     * @param rows prompts and sampled responses as the PPO epochs' forward passes read them
     * @param queryResponses the same as ids, to cut micro-batches from
     * @param advantages old log-probs, values, rewards, advantages and returns
     * @param eosTokens EOS tokens in the sampled responses (TRL's val/num_eos_tokens)
     */
    public record Scored(
            QueryResponses rows,
            long[][] queryResponses,
            RolloutAdvantages advantages,
            long eosTokens) {}

    private final PretrainedModel policy;
    private final ReferenceModel reference;
    private final ValueFunction values;
    private final PretrainedModel rewardModel;
    private final PpoSettings settings;
    private final long padTokenId;
    private final long eosTokenId;
    private final Long stopTokenId;

    /**
     * @param stopTokenId responses are cut after it before scoring (TRL's stop_token_id, EOS for
     *     stop_token "eos"), or null to score them whole
     */
    public RolloutScoring(
            PretrainedModel policy,
            ReferenceModel reference,
            ValueFunction values,
            PretrainedModel rewardModel,
            PpoSettings settings,
            long padTokenId,
            long eosTokenId,
            Long stopTokenId) {
        this.policy = policy;
        this.reference = reference;
        this.values = values;
        this.rewardModel = rewardModel;
        this.settings = settings;
        this.padTokenId = padTokenId;
        this.eosTokenId = eosTokenId;
        this.stopTokenId = stopTokenId;
    }

    /**
     * @param queries [B][C] prompts left-padded to one width C
     * @param responses [B][L] the sampled tokens
     * @param logprobs [B, L] the log-probs they were sampled with (logits / (T + 1e-7))
     * @param scope where every array of the result lives
     */
    public Scored score(long[][] queries, long[][] responses, NDArray logprobs, NDManager scope) {
        int context = queries[0].length;
        long[][] sampled = joined(queries, responses);
        QueryResponses rows = QueryResponses.of(sampled, context, padTokenId, scope);
        long[][] truncated =
                stopTokenId == null
                        ? responses
                        : ResponseMasks.truncateAfterStop(responses, stopTokenId, padTokenId);
        // Each pass in a scope of its own, its inputs too (results belong to their first
        // operand's manager): only its [B, L] result is kept, the activations are freed at once.
        NDArray refLogprobs =
                inPass(
                        scope,
                        pass -> {
                            QueryResponses in =
                                    QueryResponses.of(sampled, context, padTokenId, pass);
                            return reference.apply(
                                    m ->
                                            in.logprobs(
                                                            m.block()
                                                                    .forward(
                                                                            m.parameterStore(),
                                                                            in.input(),
                                                                            false),
                                                            settings.temperature())
                                                    .logps());
                        });
        NDArray oldValues =
                inPass(
                        scope,
                        pass -> {
                            QueryResponses in =
                                    QueryResponses.of(sampled, context, padTokenId, pass);
                            return values.values(
                                    () ->
                                            policy.block()
                                                    .forward(
                                                            policy.parameterStore(),
                                                            in.input(),
                                                            false),
                                    in,
                                    false);
                        });
        float[] scores;
        try (NDManager pass = scope.newSubManager()) {
            QueryResponses in =
                    QueryResponses.of(joined(queries, truncated), context, padTokenId, pass);
            scores =
                    ScoreReadout.scores(
                                    rewardModel
                                            .block()
                                            .forward(
                                                    rewardModel.parameterStore(),
                                                    in.input(),
                                                    false),
                                    in,
                                    padTokenId)
                            .toFloatArray();
        }
        scores =
                RolloutAdvantages.penaliseMissingEos(
                        scores, truncated, eosTokenId, settings.missingEosPenalty());
        RolloutAdvantages advantages =
                RolloutAdvantages.of(
                        logprobs,
                        refLogprobs,
                        oldValues,
                        scope.create(scores),
                        ResponseMasks.of(truncated, padTokenId, scope),
                        settings);
        return new Scored(rows, sampled, advantages, count(responses, eosTokenId));
    }

    private static NDArray inPass(
            NDManager scope, java.util.function.Function<NDManager, NDArray> pass) {
        try (NDManager own = scope.newSubManager()) {
            NDArray result = pass.apply(own).stopGradient();
            result.attach(scope);
            return result;
        }
    }

    private static long[][] joined(long[][] queries, long[][] responses) {
        long[][] out = new long[queries.length][];
        for (int b = 0; b < queries.length; b++) {
            out[b] = new long[queries[b].length + responses[b].length];
            System.arraycopy(queries[b], 0, out[b], 0, queries[b].length);
            System.arraycopy(responses[b], 0, out[b], queries[b].length, responses[b].length);
        }
        return out;
    }

    private static long count(long[][] rows, long token) {
        long n = 0;
        for (long[] row : rows) {
            for (long t : row) {
                n += t == token ? 1 : 0;
            }
        }
        return n;
    }
}
