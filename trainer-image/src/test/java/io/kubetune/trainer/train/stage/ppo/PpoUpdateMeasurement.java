package io.kubetune.trainer.train.stage.ppo;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import io.kubetune.api.v1alpha1.MethodSpec;
import io.kubetune.api.v1alpha1.MethodType;
import io.kubetune.api.v1alpha1.Scheduler;
import io.kubetune.trainer.model.Heads;
import io.kubetune.trainer.model.Precision;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.optim.AdamW;
import io.kubetune.trainer.optim.LearningRateSchedule;
import io.kubetune.trainer.train.TrainableWeights;
import io.kubetune.trainer.train.TrainingLoop;
import io.kubetune.trainer.train.stage.ReferenceModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * A PPO update's speed, the same work as tools/reference/bench_ppo.py times in TRL: the demo model
 * as policy, reference, value and reward model, full fine-tuning, 8 rows of 16 prompt and 53
 * response tokens, 4 epochs of one mini-batch; sampling replaced by fixed random responses. Only on
 * {@code -Dkubetune.measure=true}; it prints, it does not assert.
 */
@EnabledIfSystemProperty(named = "kubetune.measure", matches = "true")
class PpoUpdateMeasurement {
    private static final Path MODEL = Path.of("../examples/models/tiny-llama-moby");
    private static final int ROWS = 8, QUERY = 16, RESPONSE = 53, UPDATES = 4;

    @Test
    void updateTokensPerSecond() throws Exception {
        PpoSettings settings = PpoSettings.TRL_DEFAULTS;
        try (PretrainedModel policy = load(Heads.LM);
                ReferenceModel ref = ReferenceModel.frozenCopy(load(Heads.LM));
                PretrainedModel value = load(Heads.NEW_REWARD_MODEL);
                PretrainedModel reward = load(Heads.NEW_REWARD_MODEL)) {
            Map<String, Parameter> trainable = new LinkedHashMap<>(full(policy));
            full(value).forEach((n, p) -> trainable.put("value/" + n, p));
            ValueFunction values = ValueFunction.model(value);
            RolloutScoring scoring =
                    new RolloutScoring(policy, ref, values, reward, settings, 4096, 4096, 4096L);
            Random random = new Random(0);
            long[][] queries = tokens(random, QUERY);
            long[][] responses = tokens(random, RESPONSE);
            List<Double> seconds = new ArrayList<>();
            try (AdamW adamW = AdamW.withDefaults(trainable, 0.0, policy.manager())) {
                TrainingLoop<PpoMicroBatch> loop =
                        new TrainingLoop<>(
                                policy,
                                new PpoObjective(values, settings),
                                trainable,
                                adamW,
                                new LearningRateSchedule(Scheduler.LINEAR, 3e-6, 0, UPDATES),
                                Double.POSITIVE_INFINITY,
                                0);
                for (int u = 0; u < UPDATES; u++) {
                    long start = System.nanoTime();
                    try (NDManager scope = policy.manager().newSubManager()) {
                        NDArray sampled =
                                scope.randomNormal(
                                                0, 1, new Shape(ROWS, RESPONSE), DataType.FLOAT32)
                                        .sub(scope.full(new Shape(), 8f));
                        RolloutScoring.Scored rollout =
                                scoring.score(queries, responses, sampled, scope);
                        // One mini-batch of all rows per epoch, as bench_ppo.py: the order of
                        // the rows changes no work, so the epochs reuse the rollout's arrays.
                        for (int epoch = 0; epoch < settings.ppoEpochs(); epoch++) {
                            loop.step(
                                    List.of(
                                            new PpoMicroBatch(
                                                    rollout.rows(), rollout.advantages())));
                        }
                    }
                    seconds.add((System.nanoTime() - start) / 1e9);
                }
            }
            double mean =
                    seconds.subList(1, seconds.size()).stream()
                            .mapToDouble(Double::doubleValue)
                            .average()
                            .orElseThrow();
            System.out.printf(
                    "kubetune PPO update: %.3f s, %.0f tokens/s (updates 2..%d: %s)%n",
                    mean,
                    settings.ppoEpochs() * ROWS * (QUERY + RESPONSE) / mean,
                    UPDATES,
                    seconds.subList(1, seconds.size()));
        }
    }

    private static PretrainedModel load(Heads heads) throws Exception {
        return PretrainedModel.load(MODEL, Device.cpu(), Precision.FP32, heads);
    }

    private static Map<String, Parameter> full(PretrainedModel model) {
        MethodSpec method = new MethodSpec();
        method.type = MethodType.FULL;
        return TrainableWeights.of(method, model.block(), List.of());
    }

    private static long[][] tokens(Random random, int length) {
        long[][] out = new long[ROWS][length];
        for (long[] row : out) {
            for (int t = 0; t < length; t++) {
                row[t] = random.nextInt(4000);
            }
        }
        return out;
    }
}
