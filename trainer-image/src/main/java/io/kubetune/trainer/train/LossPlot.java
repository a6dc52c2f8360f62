package io.kubetune.trainer.train;

import com.google.gson.JsonObject;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Draws {@code loss.png} at the end of a run from the whole {@code metrics.jsonl} history (which
 * {@link MetricsLog} writes; before a resume too): the training loss, raw and smoothed as
 * TensorBoard smooths, and the validation loss against the step; below it, for stages that have
 * them (rm, dpo), a second panel with the stage's main metrics, training and validation.
 */
public final class LossPlot implements TrainingListener {
    static final int WIDTH = 800;
    static final int LOSS_HEIGHT = 480;
    static final int METRICS_HEIGHT = 360;

    private final Path outputDir;
    private final List<String> mainMetrics;

    /** A plot of the loss alone. */
    public LossPlot(Path outputDir) {
        this(outputDir, List.of());
    }

    /**
     * @param mainMetrics the stage's main metrics (TrainingStage#mainMetrics), in the second panel
     */
    public LossPlot(Path outputDir, List<String> mainMetrics) {
        this.outputDir = outputDir;
        this.mainMetrics = List.copyOf(mainMetrics);
    }

    @Override
    public void onFinish(FineTuneRun.Outcome outcome) {
        try {
            List<XYChart> panels =
                    panels(MetricsHistory.read(outputDir.resolve(MetricsHistory.FILE)));
            if (!panels.isEmpty()) {
                draw(panels);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A named line: its steps and values. */
    private record Series(List<Double> steps, List<Double> values) {}

    /** The panels drawn, top to bottom: none without a loss, a second one for main metrics. */
    List<XYChart> panels(List<JsonObject> history) {
        Map<String, Series> series = series(history);
        if (!series.containsKey("loss")) {
            return List.of();
        }
        List<XYChart> panels = new ArrayList<>();
        panels.add(lossPanel(series));
        XYChart metrics = metricsPanel(series);
        if (metrics != null) {
            panels.add(metrics);
        }
        return panels;
    }

    private Map<String, Series> series(List<JsonObject> history) {
        List<String> wanted = new ArrayList<>(List.of("loss", "eval_loss"));
        for (String m : mainMetrics) {
            wanted.add(m);
            wanted.add("eval_" + m);
        }
        Map<String, Series> series = new LinkedHashMap<>();
        for (JsonObject line : history) {
            double step = line.get("step").getAsDouble();
            for (String name : wanted) {
                if (line.has(name)) {
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

    private static XYChart lossPanel(Map<String, Series> series) {
        XYChart chart = chart("loss", LOSS_HEIGHT);
        chart.setYAxisTitle("loss");
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
        return chart;
    }

    /** The stage's main metrics, training as lines and validation as points; null without any. */
    private XYChart metricsPanel(Map<String, Series> series) {
        List<String> present = mainMetrics.stream().filter(series::containsKey).toList();
        if (present.isEmpty()) {
            return null;
        }
        XYChart chart = chart(String.join(", ", present), METRICS_HEIGHT);
        chart.setYAxisTitle(present.get(0));
        for (int i = 0; i < present.size(); i++) {
            String name = present.get(i);
            // the first metric on the left axis; the others (other scales, e.g. margins) right
            int axis = i == 0 ? 0 : 1;
            Series train = series.get(name);
            chart.addSeries(name, train.steps(), train.values())
                    .setMarker(SeriesMarkers.NONE)
                    .setYAxisGroup(axis);
            Series eval = series.get("eval_" + name);
            if (eval != null) {
                chart.addSeries("eval_" + name, eval.steps(), eval.values()).setYAxisGroup(axis);
            }
        }
        if (present.size() > 1) {
            chart.setYAxisGroupTitle(1, String.join(", ", present.subList(1, present.size())));
            chart.getStyler().setYAxisGroupPosition(1, Styler.YAxisPosition.Right);
        }
        return chart;
    }

    private static XYChart chart(String title, int height) {
        return new XYChartBuilder()
                .width(WIDTH)
                .height(height)
                .title(title)
                .xAxisTitle("step")
                .build();
    }

    /** The panels stacked into one PNG. */
    private void draw(List<XYChart> panels) throws IOException {
        System.setProperty("java.awt.headless", "true");
        int height = panels.stream().mapToInt(XYChart::getHeight).sum();
        BufferedImage image = new BufferedImage(WIDTH, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        int y = 0;
        for (XYChart panel : panels) {
            g.drawImage(BitmapEncoder.getBufferedImage(panel), 0, y, null);
            y += panel.getHeight();
        }
        g.dispose();
        // ImageIO's default file cache registers a shutdown hook, which throws when the plot is
        // drawn during shutdown (SIGTERM): the small PNG is encoded in memory instead.
        ImageIO.setUseCache(false);
        ImageIO.write(image, "png", outputDir.resolve("loss.png").toFile());
    }
}
