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
    void everyStageIsBuilt() {
        for (Stage stage : Stage.values()) {
            assertThat(Stages.of(stage).stage()).isEqualTo(stage);
        }
    }

    @Test
    void aMissingStageIsRefusedNamingTheFieldAndTheChoices() {
        assertThatThrownBy(() -> Stages.of(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("spec.stage: null is not run by this trainer version")
                .hasMessageContaining("pt, sft");
    }
}
