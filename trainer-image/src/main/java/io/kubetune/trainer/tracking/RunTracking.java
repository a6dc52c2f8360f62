package io.kubetune.trainer.tracking;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.kubetune.api.v1alpha1.FineTuneJob;
import io.kubetune.api.v1alpha1.FineTuneJobSpec;
import io.kubetune.api.v1alpha1.MlflowSpec;
import io.kubetune.api.v1alpha1.TrackingSpec;
import io.kubetune.trainer.storage.RunOutput;
import io.kubetune.trainer.train.Evaluation;
import io.kubetune.trainer.train.FineTuneRun;
import io.kubetune.trainer.train.StepResult;
import io.kubetune.trainer.train.TrainingListener;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The one listener through which a run reaches the trackers its spec.tracking asks for
 * (TensorBoard, MLflow); it tells them in order and closes them at the end.
 */
public final class RunTracking implements TrainingListener, AutoCloseable {
    private final List<TrainingListener> trackers;

    RunTracking(List<TrainingListener> trackers) {
        this.trackers = List.copyOf(trackers);
    }

    /**
     * @param tensorboard {@code kubetune train --tensorboard}: on even where the spec says nothing
     * @param output where the run writes; an S3 output also gets the event file as it grows
     * @param env the MLflow credentials (MLFLOW_TRACKING_TOKEN, or _USERNAME and _PASSWORD)
     * @param onMlflowRun told the run's id and URL once the tracking server created it
     */
    public static RunTracking forJob(
            FineTuneJob job,
            boolean tensorboard,
            RunOutput output,
            Map<String, String> env,
            Consumer<MlflowLog.Run> onMlflowRun)
            throws IOException {
        FineTuneJobSpec spec = job.getSpec();
        TrackingSpec tracking = spec.tracking == null ? new TrackingSpec() : spec.tracking;
        Map<String, String> params = RunParams.of(spec);
        List<TrainingListener> trackers = new ArrayList<>();
        if (tensorboard || Boolean.TRUE.equals(tracking.tensorboard)) {
            trackers.add(
                    new TensorBoardLog(
                            output.dir().resolve(TensorBoardLog.DIR),
                            host(),
                            params,
                            output::publish));
        }
        if (tracking.mlflow != null) {
            trackers.add(
                    new MlflowLog(
                            new MlflowRest(tracking.mlflow.trackingUri, env),
                            describe(job, params, tracking.mlflow),
                            output::uriOf,
                            onMlflowRun,
                            System.err));
        }
        return new RunTracking(trackers);
    }

    static MlflowLog.RunDescription describe(
            FineTuneJob job, Map<String, String> params, MlflowSpec mlflow) {
        ObjectMeta meta = job.getMetadata();
        String namespace = meta.getNamespace() == null ? "default" : meta.getNamespace();
        Map<String, String> tags = new TreeMap<>();
        tags.put("mlflow.source.name", "kubetune");
        tags.put("kubetune.job", meta.getName());
        tags.put("kubetune.namespace", namespace);
        if (meta.getUid() != null) {
            tags.put("kubetune.uid", meta.getUid());
        }
        tags.put("kubetune.stage", params.get("stage"));
        tags.put("kubetune.method", params.getOrDefault("method.type", ""));
        tags.put("kubetune.base_model", params.get("model.uri"));
        String experiment = mlflow.experiment == null ? namespace : mlflow.experiment;
        return new MlflowLog.RunDescription(experiment, meta.getName(), params, tags);
    }

    /** The pod (or machine) name, as TensorBoard's own writers put it in the file name. */
    private static String host() {
        String host = System.getenv("HOSTNAME");
        if (host == null) {
            try {
                host = java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.net.UnknownHostException e) {
                host = "localhost";
            }
        }
        String safe = host.replaceAll("[^A-Za-z0-9.-]", "_");
        return safe.isEmpty() ? "localhost" : safe;
    }

    @Override
    public void onStart(long totalSteps, long resumedAtStep) {
        trackers.forEach(t -> t.onStart(totalSteps, resumedAtStep));
    }

    @Override
    public void onStep(StepResult result, long totalSteps, double epoch) {
        trackers.forEach(t -> t.onStep(result, totalSteps, epoch));
    }

    @Override
    public void onEvaluation(long step, Evaluation evaluation) {
        trackers.forEach(t -> t.onEvaluation(step, evaluation));
    }

    @Override
    public void onCheckpoint(long step, Path checkpoint) {
        trackers.forEach(t -> t.onCheckpoint(step, checkpoint));
    }

    @Override
    public void onFinish(FineTuneRun.Outcome outcome) {
        trackers.forEach(t -> t.onFinish(outcome));
    }

    @Override
    public void close() throws IOException {
        for (TrainingListener t : trackers) {
            if (t instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (IOException | RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new IOException(e);
                }
            }
        }
    }
}
