package io.kubetune.trainer.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubetune.api.v1alpha1.MlflowRunRef;
import io.kubetune.trainer.train.StepResult;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class StatusReporterTest {
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private final List<Map<String, Object>> applied = new CopyOnWriteArrayList<>();

    private StatusReporter reporter(StatusApplier applier, Duration interval) {
        return new StatusReporter(
                applier, "finetunejobs/x", interval, Duration.ofSeconds(5), new PrintStream(log));
    }

    private static StepResult step(long n, double loss) {
        return new StepResult(n, loss, 1e-3, 1, 100, 0.01);
    }

    @Test
    void aCheckpointIsReportedAtOnceAndInEveryLaterReport() throws Exception {
        StatusReporter reporter = reporter(applied::add, Duration.ofHours(1));
        reporter.onStart(4, 0);
        awaitReports(1);
        reporter.onStep(step(1, 2.0), 4, 0.25);
        reporter.onStep(step(2, 1.0), 4, 0.5);
        reporter.onCheckpoint(2, Path.of("/runs/x/checkpoints/step-00000002"));
        awaitReports(2);

        Map<String, Object> atCheckpoint = applied.get(applied.size() - 1);
        assertThat(atCheckpoint).containsOnlyKeys("progress", "lastCheckpoint");
        assertThat(atCheckpoint.get("lastCheckpoint").toString())
                .contains("step=2", "step-00000002");
        assertThat(atCheckpoint.get("progress").toString()).contains("step=2", "loss=1.5");

        reporter.onStep(step(3, 0.5), 4, 0.75);
        reporter.close();

        Map<String, Object> last = applied.get(applied.size() - 1);
        assertThat(last.get("progress").toString()).contains("step=3", "percent=75");
        assertThat(last).containsKey("lastCheckpoint");
    }

    /** Server-side apply drops a field a report leaves out: the MLflow run stays in each one. */
    @Test
    void theMlflowRunIsReportedAtOnceAndInEveryLaterReport() throws Exception {
        StatusReporter reporter = reporter(applied::add, Duration.ofHours(1));
        reporter.onStart(4, 0);
        awaitReports(1);
        MlflowRunRef run = new MlflowRunRef();
        run.experimentId = "7";
        run.runId = "abc123";
        run.url = "http://mlflow:5000/#/experiments/7/runs/abc123";
        reporter.onMlflowRun(run);
        awaitReports(2);
        assertThat(applied.get(applied.size() - 1).get("mlflow").toString())
                .contains("runId=abc123", "experimentId=7");

        reporter.onStep(step(1, 2.0), 4, 0.25);
        reporter.close();
        Map<String, Object> last = applied.get(applied.size() - 1);
        assertThat(last.get("progress").toString()).contains("step=1");
        assertThat(last).containsKey("mlflow");
    }

    @Test
    void reportsAreSentAtMostOncePerInterval() throws Exception {
        StatusReporter reporter = reporter(applied::add, Duration.ofMillis(300));
        reporter.onStart(1000, 0);
        long started = System.nanoTime();
        for (int i = 1; System.nanoTime() - started < TimeUnit.MILLISECONDS.toNanos(1500); i++) {
            reporter.onStep(step(i, 1.0), 1000, 0);
            Thread.sleep(5);
        }
        reporter.close();

        // about 1500 / 300 ticks, plus the start and the final report
        assertThat(applied).hasSizeBetween(3, 8);
    }

    @Test
    void anUnreachableApiServerNeitherStopsNorSlowsTraining() {
        CountDownLatch released = new CountDownLatch(1);
        StatusApplier hanging =
                status -> {
                    try {
                        released.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    throw new IllegalStateException("connect timed out: 127.0.0.1:1");
                };
        StatusReporter reporter = reporter(hanging, Duration.ofMillis(10));
        long started = System.nanoTime();

        reporter.onStart(100, 0);
        for (int i = 1; i <= 100; i++) {
            reporter.onStep(step(i, 1.0), 100, 0);
            reporter.onCheckpoint(i, Path.of("step-" + i));
        }
        long trainingMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        released.countDown();
        reporter.close();

        assertThat(trainingMillis).isLessThan(1000);
        assertThat(reporter.reportsSent()).isZero();
        assertThat(log.toString().lines().filter(l -> l.contains("could not report")))
                .hasSize(1)
                .allSatisfy(l -> assertThat(l).contains("finetunejobs/x", "127.0.0.1:1"));
    }

    @Test
    void aFailedReportIsRetriedOnTheNextTick() throws Exception {
        int[] calls = {0};
        StatusApplier flaky =
                status -> {
                    if (calls[0]++ < 2) {
                        throw new IllegalStateException("503 Service Unavailable");
                    }
                    applied.add(status);
                };
        StatusReporter reporter = reporter(flaky, Duration.ofMillis(50));
        reporter.onStart(4, 0);
        reporter.onStep(step(1, 1.0), 4, 0.25);
        awaitReports(1);
        reporter.close();

        assertThat(applied.get(0).get("progress").toString()).contains("step=");
        assertThat(log.toString()).contains("works again");
    }

    private void awaitReports(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (applied.size() < n && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(applied).hasSizeGreaterThanOrEqualTo(n);
    }
}
