package io.kubetune.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Expected values worked by hand from TensorBoard's classic smoothing (webapp line_chart
 * data_transformer: last = last * w + (1 - w) * y; y' = last / (1 - w^n)).
 */
class EmaSmoothingTest {
    @Test
    void debiasedEmaAsTensorBoardDrawsIt() {
        List<Double> smoothed = EmaSmoothing.smooth(List.of(1.0, 2.0, 0.0), 0.6);
        // n=1: 0.4/0.4; n=2: (0.24+0.8)/0.64; n=3: (0.624+0)/(1-0.216)
        assertThat(smoothed.get(0)).isCloseTo(1.0, within(1e-12));
        assertThat(smoothed.get(1)).isCloseTo(1.625, within(1e-12));
        assertThat(smoothed.get(2)).isCloseTo(0.624 / 0.784, within(1e-12));
    }

    @Test
    void nonFiniteValuesPassThroughAndConstantSeriesStay() {
        assertThat(EmaSmoothing.smooth(List.of(3.0, 3.0, 3.0), 0.9)).containsExactly(3.0, 3.0, 3.0);
        List<Double> withNan = EmaSmoothing.smooth(List.of(1.0, Double.NaN, 2.0), 0.6);
        assertThat(withNan.get(1)).isNaN();
        assertThat(withNan.get(2)).isCloseTo(1.625, within(1e-12));
    }
}
