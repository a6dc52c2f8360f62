package io.kubetune.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kubetune.api.v1alpha1.Scheduler;
import io.kubetune.api.v1alpha1.TrainingSpec;
import io.kubetune.trainer.optim.LearningRateSchedule;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/**
 * Stage ppo's learning rate at every optimizer update against TRL 1.12's PPOTrainer, which steps
 * its scheduler once per rollout batch over num_total_batches (fixture:
 * tools/reference/make_ppo_schedule_fixtures.py).
 */
class PpoLearningRateScheduleTest {

    @Test
    void everyUpdateOfARolloutBatchHasTheRateTrlGivesIt() throws IOException {
        JsonNode cases;
        try (InputStream in = getClass().getResourceAsStream("/optim/ppo-schedule.json")) {
            cases = new ObjectMapper().readTree(in).get("cases");
        }
        assertThat(cases).hasSize(4);
        for (JsonNode c : cases) {
            TrainingSpec training = new TrainingSpec();
            training.scheduler = scheduler(c.get("scheduler").asText());
            training.learningRate = c.get("peak").asText();
            training.warmupSteps =
                    c.get("warmupSteps").asInt() > 0 ? c.get("warmupSteps").asInt() : null;
            training.warmupRatio =
                    c.get("warmupRatio").asDouble() > 0 ? c.get("warmupRatio").asText() : null;
            LearningRateSchedule schedule =
                    LearningRateSchedule.of(
                            training,
                            c.get("updates").asLong(),
                            c.get("updatesPerRollout").asInt());
            JsonNode expected = c.get("lr");
            for (int t = 0; t < expected.size(); t++) {
                assertThat(schedule.rate(t))
                        .as("%s, update %d", c.get("name").asText(), t)
                        .isCloseTo(expected.get(t).asDouble(), within(1e-12));
            }
        }
    }

    private static Scheduler scheduler(String transformersName) {
        return switch (transformersName) {
            case "linear" -> Scheduler.LINEAR;
            case "cosine" -> Scheduler.COSINE;
            default -> Scheduler.CONSTANT;
        };
    }
}
