package io.kubetune.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.kubetune.api.v1alpha1.Stage;
import io.kubetune.trainer.train.stage.Stages;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

/** What loss.png draws for each stage, read back from the charts and the PNG's size. */
class LossPlotTest {
    @TempDir Path dir;

    @Test
    void dpoGetsASecondPanelWithRewardAccuraciesLeftAndMarginsRight() throws IOException {
        log(
                Map.of("rewards/accuracies", 0.5, "rewards/margins", 0.1, "rewards/chosen", -1.0),
                Map.of("rewards/accuracies", 0.75, "rewards/margins", 0.3));
        LossPlot plot = new LossPlot(dir, Stages.of(Stage.DPO).mainMetrics());

        List<XYChart> panels = plot.panels(MetricsHistory.read(dir.resolve("metrics.jsonl")));

        assertThat(panels).hasSize(2);
        assertThat(panels.get(0).getSeriesMap().keySet())
                .containsExactly("train", "train (smoothed as in TensorBoard)", "eval");
        Map<String, XYSeries> metrics = panels.get(1).getSeriesMap();
        assertThat(metrics.values())
                .extracting(XYSeries::getName, XYSeries::getYAxisGroup)
                .containsExactly(
                        tuple("rewards/accuracies", 0),
                        tuple("eval_rewards/accuracies", 0),
                        tuple("rewards/margins", 1),
                        tuple("eval_rewards/margins", 1));
        assertThat(metrics.get("rewards/accuracies").getXData()).containsExactly(1, 2, 3, 4);
        assertThat(metrics.get("rewards/accuracies").getYData()).containsOnly(0.5);
        assertThat(metrics.get("eval_rewards/margins").getXData()).containsExactly(4);
        assertThat(metrics.get("eval_rewards/margins").getYData()).containsExactly(0.3);

        plot.onFinish(null);
        BufferedImage png = ImageIO.read(dir.resolve("loss.png").toFile());
        assertThat(png.getHeight()).isEqualTo(LossPlot.LOSS_HEIGHT + LossPlot.METRICS_HEIGHT);
        assertThat(png.getWidth()).isEqualTo(LossPlot.WIDTH);
    }

    @Test
    void rmGetsItsPairwiseAccuracyInTheSecondPanel() throws IOException {
        log(Map.of("accuracy", 0.625), Map.of("accuracy", 0.5));

        List<XYChart> panels =
                new LossPlot(dir, Stages.of(Stage.RM).mainMetrics())
                        .panels(MetricsHistory.read(dir.resolve("metrics.jsonl")));

        assertThat(panels).hasSize(2);
        assertThat(panels.get(1).getSeriesMap().keySet())
                .containsExactly("accuracy", "eval_accuracy");
        assertThat(panels.get(1).getSeriesMap().get("accuracy").getYData()).containsOnly(0.625);
    }

    @Test
    void sftIsOnePanelOfLossEvenWithTokenAccuracy() throws IOException {
        log(Map.of("mean_token_accuracy", 0.25), Map.of("mean_token_accuracy", 0.3));
        LossPlot plot = new LossPlot(dir, Stages.of(Stage.SFT).mainMetrics());

        List<XYChart> panels = plot.panels(MetricsHistory.read(dir.resolve("metrics.jsonl")));

        assertThat(panels).singleElement();
        XYSeries train = panels.get(0).getSeriesMap().get("train");
        assertThat(train.getYData()).containsExactly(3.0, 1.5, 1.0, 0.75);
        plot.onFinish(null);
        assertThat(ImageIO.read(dir.resolve("loss.png").toFile()).getHeight())
                .isEqualTo(LossPlot.LOSS_HEIGHT);
    }

    /** Four steps with the stage's metrics, and an evaluation at step 4. */
    private void log(Map<String, Double> stepMetrics, Map<String, Double> evalMetrics) {
        MetricsLog log = new MetricsLog(dir);
        log.onStart(4, 0);
        for (int step = 1; step <= 4; step++) {
            log.onStep(new StepResult(step, 3.0 / step, 1e-3, 1, 100, 0.1, stepMetrics), 4, step);
        }
        log.onEvaluation(4, new Evaluation(1.25, evalMetrics));
    }
}
