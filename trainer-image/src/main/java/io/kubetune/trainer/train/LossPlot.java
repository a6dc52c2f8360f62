package io.kubetune.trainer.train;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Draws {@code loss.png} at the end of a run from the whole {@code metrics.jsonl} history (which
 * {@link MetricsLog} writes; before a resume too): the training and validation loss against the
 * step, and the stage's metrics on a second axis on the right.
 */
public final class LossPlot implements TrainingListener {
    /** Columns of a step's line that are not stage metrics. */
    private static final Set<String> PROGRESS =
            Set.of("step", "epoch", "loss", "learning_rate", "grad_norm", "tokens_per_second");

    private final Path outputDir;

    public LossPlot(Path outputDir) {
        this.outputDir = outputDir;
    }

    @Override
    public void onFinish(FineTuneRun.Outcome outcome) {
        try {
            Map<String, Series> series =
                    series(MetricsHistory.read(outputDir.resolve(MetricsHistory.FILE)));
            if (series.containsKey("loss")) {
                draw(series);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A named line: its steps and values. */
    private record Series(List<Double> steps, List<Double> values) {}

    private static Map<String, Series> series(List<JsonObject> history) {
        Map<String, Series> series = new TreeMap<>();
        for (JsonObject line : history) {
            double step = line.get("step").getAsDouble();
            for (String name : line.keySet()) {
                if (!PROGRESS.contains(name) || name.equals("loss")) {
                    Series s =
                            series.computeIfAbsent(
                                    name, n -> new Series(new ArrayList<>(), new ArrayList<>()));
                    s.steps().add(step);
                    s.values().add(line.get(name).getAsDouble());
                }
            }
        }
        return series;
    }

    private void draw(Map<String, Series> series) throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYChart chart =
                new XYChartBuilder()
                        .width(800)
                        .height(480)
                        .title("loss")
                        .xAxisTitle("step")
                        .yAxisTitle("loss")
                        .build();
        Series loss = series.get("loss");
        chart.addSeries("train", loss.steps(), loss.values()).setMarker(SeriesMarkers.NONE);
        chart.addSeries(
                        "train (smoothed as in TensorBoard)",
                        loss.steps(),
                        EmaSmoothing.smooth(loss.values(), EmaSmoothing.TENSORBOARD_DEFAULT))
                .setMarker(SeriesMarkers.NONE);
        if (series.containsKey("eval_loss")) {
            Series eval = series.get("eval_loss");
            chart.addSeries("eval", eval.steps(), eval.values());
        }
        series.forEach(
                (name, s) -> {
                    if (!name.equals("loss") && !name.equals("eval_loss")) {
                        chart.addSeries(name, s.steps(), s.values()).setYAxisGroup(1);
                    }
                });
        if (series.size() > (series.containsKey("eval_loss") ? 2 : 1)) { // stage metrics
            chart.setYAxisGroupTitle(1, "stage metrics");
            chart.getStyler().setYAxisGroupPosition(1, Styler.YAxisPosition.Right);
        }
        // ImageIO's default file cache registers a shutdown hook, which throws when the plot is
        // drawn during shutdown (SIGTERM): the small PNG is encoded in memory instead.
        javax.imageio.ImageIO.setUseCache(false);
        BitmapEncoder.saveBitmap(
                chart, outputDir.resolve("loss").toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}
