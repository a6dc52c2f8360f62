package io.kubetune.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubetune.api.v1alpha1.FineTuneJobSpec;
import io.kubetune.api.v1alpha1.LoraSpec;
import io.kubetune.api.v1alpha1.Precision;
import org.junit.jupiter.api.Test;

class RunSettingsTest {
    @Test
    void whatShapesTheWeightsChangesTheHashWhatOnlyReportsDoesNot() {
        RunSettings base = RunSettings.of(FineTuneRunTest.spec(10));

        FineTuneJobSpec moreSteps = FineTuneRunTest.spec(20);
        assertThat(RunSettings.of(moreSteps).hash()).isNotEqualTo(base.hash());
        assertThat(base.changesTo(RunSettings.of(moreSteps)))
                .containsExactly("training.maxSteps: 10 -> 20");

        FineTuneJobSpec reporting = FineTuneRunTest.spec(10);
        reporting.training.loggingSteps = 1;
        reporting.training.evalSteps = 5;
        reporting.training.precision = Precision.FP16;
        reporting.checkpoint.everySteps = 1;
        reporting.output.uri = "s3://elsewhere/run";
        assertThat(RunSettings.of(reporting).hash()).isEqualTo(base.hash());
    }

    @Test
    void aLeftOutLoraSectionIsTheSameRunAsItsDefaultsWrittenOut() {
        FineTuneJobSpec implicit = FineTuneRunTest.spec(10);
        implicit.method.lora = null;
        FineTuneJobSpec explicit = FineTuneRunTest.spec(10);
        explicit.method.lora = new LoraSpec();

        assertThat(RunSettings.of(SpecDefaults.fill(implicit)).hash())
                .isEqualTo(RunSettings.of(explicit).hash());
    }
}
