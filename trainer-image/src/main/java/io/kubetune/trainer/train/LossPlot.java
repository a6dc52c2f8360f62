package io.kubetune.trainer.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Draws the training and validation loss against the step into {@code loss.png}. */
public final class LossPlot implements TrainingListener {
    private final Path file;
    private final List<Double> steps = new ArrayList<>();
    private final List<Double> losses = new ArrayList<>();
    private final List<Double> evalSteps = new ArrayList<>();
    private final List<Double> evalLosses = new ArrayList<>();

    public LossPlot(Path outputDir) {
        this.file = outputDir.resolve("loss.png");
    }

    @Override
    public void onStep(StepResult result, long totalSteps, double epoch) {
        steps.add((double) result.step());
        losses.add(result.loss());
    }

    @Override
    public void onEvaluation(long step, double evalLoss) {
        evalSteps.add((double) step);
        evalLosses.add(evalLoss);
    }

    @Override
    public void onFinish(FineTuneRun.Outcome outcome) {
        if (steps.isEmpty()) {
            return;
        }
        System.setProperty("java.awt.headless", "true");
        XYChart chart =
                new XYChartBuilder()
                        .width(800)
                        .height(480)
                        .title("loss")
                        .xAxisTitle("step")
                        .yAxisTitle("loss")
                        .build();
        chart.addSeries("train", steps, losses).setMarker(SeriesMarkers.NONE);
        if (!evalSteps.isEmpty()) {
            chart.addSeries("eval", evalSteps, evalLosses);
        }
        // ImageIO's default file cache registers a shutdown hook, which throws when the plot is
        // drawn during shutdown (SIGTERM): the small PNG is encoded in memory instead.
        javax.imageio.ImageIO.setUseCache(false);
        try {
            BitmapEncoder.saveBitmap(
                    chart,
                    file.toString().replaceAll("\\.png$", ""),
                    BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
