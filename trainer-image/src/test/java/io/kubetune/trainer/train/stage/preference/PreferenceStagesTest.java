package io.kubetune.trainer.train.stage.preference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kubetune.api.v1alpha1.DataFormat;
import io.kubetune.api.v1alpha1.DatasetSpec;
import io.kubetune.api.v1alpha1.FineTuneJobSpec;
import io.kubetune.api.v1alpha1.Stage;
import io.kubetune.trainer.model.Heads;
import io.kubetune.trainer.train.stage.Stages;
import java.util.List;
import org.junit.jupiter.api.Test;

/** rm and dpo are registered; a job that gives them no pairs is refused before any download. */
class PreferenceStagesTest {
    @Test
    void rmAndDpoAreBuiltAndTheRewardModelLoadsAScoreHead() {
        assertThat(Stages.of(Stage.DPO)).isInstanceOf(DpoStage.class);
        assertThat(Stages.of(Stage.RM).heads()).isEqualTo(Heads.NEW_REWARD_MODEL);
    }

    @Test
    void instructionDataUnderDpoIsRefusedNamingTheField() {
        FineTuneJobSpec spec = new FineTuneJobSpec();
        spec.stage = Stage.DPO;
        DatasetSpec dataset = new DatasetSpec();
        dataset.format = DataFormat.ALPACA;
        spec.datasets = List.of(dataset);

        assertThatThrownBy(() -> Stages.validate(spec))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("spec.datasets[0].format: alpaca is not pairs");
    }
}
