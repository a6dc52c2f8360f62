package io.kubetune.trainer.train.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kubetune.api.v1alpha1.Stage;
import org.junit.jupiter.api.Test;

class StagesTest {
    @Test
    void ptAndSftAreOneCausalLmStageEach() {
        assertThat(Stages.of(Stage.PT).stage()).isEqualTo(Stage.PT);
        assertThat(Stages.of(Stage.SFT)).isInstanceOf(CausalLmStage.class);
    }

    @Test
    void aStageNotBuiltIsRefusedNamingTheFieldAndTheChoices() {
        assertThatThrownBy(() -> Stages.of(Stage.PPO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("spec.stage: ppo is not run by this trainer version")
                .hasMessageContaining("pt, sft");
    }
}
