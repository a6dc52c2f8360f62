package io.kubetune.trainer.tracking;

import io.kubetune.trainer.train.Evaluation;
import io.kubetune.trainer.train.FineTuneRun;
import io.kubetune.trainer.train.StepResult;
import io.kubetune.trainer.train.TrainingListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The run's scalars in TensorBoard, under the tags Hugging Face's TensorBoardCallback uses ({@code
 * train/loss}, {@code eval/loss}, {@code train/<stage metric>}, ...), and its hyperparameters as a
 * text summary. The event file is handed to {@code publish} at each checkpoint and at most every
 * {@link #PUBLISH_EVERY} between them (an S3 output uploads it, so a remote TensorBoard follows).
 */
public final class TensorBoardLog implements TrainingListener, AutoCloseable {
    /** The folder under the output that holds the event files. */
    public static final String DIR = "tensorboard";

    static final Duration PUBLISH_EVERY = Duration.ofMinutes(1);

    private final Path dir;
    private final String host;
    private EventFileWriter writer;
    private final Map<String, String> params;
    private final Consumer<Path> publish;
    private long publishedAt = System.nanoTime();

    /**
     * @param host the machine or pod, part of the event file's name as in TensorBoard's writers
     */
    public TensorBoardLog(
            Path dir, String host, Map<String, String> params, Consumer<Path> publish) {
        this.dir = dir;
        this.host = host;
        this.params = Map.copyOf(params);
        this.publish = publish;
    }

    @Override
    public void onStart(long totalSteps, long resumedAtStep) {
        // opened here, after the run prepared its folder (--overwrite clears tensorboard/)
        write(() -> writer = new EventFileWriter(dir, host));
        write(() -> writer.text("hparams", resumedAtStep, RunParams.markdown(params)));
    }

    @Override
    public void onStep(StepResult r, long totalSteps, double epoch) {
        write(
                () -> {
                    long step = r.step();
                    writer.scalar(tag("loss"), step, r.loss());
                    writer.scalar(tag("learning_rate"), step, r.learningRate());
                    writer.scalar(tag("grad_norm"), step, r.gradNorm());
                    writer.scalar(tag("tokens_per_second"), step, tokensPerSecond(r));
                    writer.scalar(tag("epoch"), step, epoch);
                    for (var metric : new TreeMap<>(r.metrics()).entrySet()) {
                        writer.scalar(tag(metric.getKey()), step, metric.getValue());
                    }
                });
        if (System.nanoTime() - publishedAt > PUBLISH_EVERY.toNanos()) {
            publish();
        }
    }

    @Override
    public void onEvaluation(long step, Evaluation evaluation) {
        write(
                () -> {
                    writer.scalar(tag("eval_loss"), step, evaluation.loss());
                    for (var metric : new TreeMap<>(evaluation.metrics()).entrySet()) {
                        writer.scalar(tag("eval_" + metric.getKey()), step, metric.getValue());
                    }
                });
    }

    @Override
    public void onCheckpoint(long step, Path checkpoint) {
        publish();
    }

    private void publish() {
        publishedAt = System.nanoTime();
        publish.accept(writer.file());
    }

    /** At the end the output's own upload takes the whole folder, this file included. */
    @Override
    public void onFinish(FineTuneRun.Outcome outcome) {}

    /** A metrics.jsonl name as a tag: {@code eval_x} → {@code eval/x}, else {@code train/x}. */
    static String tag(String name) {
        return name.startsWith("eval_") ? "eval/" + name.substring(5) : "train/" + name;
    }

    /** The same figure metrics.jsonl and the progress line show. */
    static double tokensPerSecond(StepResult r) {
        return r.tokens() / Math.max(1e-9, r.seconds());
    }

    @Override
    public void close() throws IOException {
        if (writer != null) {
            writer.close();
        }
    }

    private interface Write {
        void run() throws IOException;
    }

    private static void write(Write write) {
        try {
            write.run();
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the TensorBoard event file", e);
        }
    }
}
