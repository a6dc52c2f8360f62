package io.kubetune.trainer.cli;

import ai.djl.Device;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.kubetune.api.v1alpha1.FineTuneJob;
import io.kubetune.api.v1alpha1.TrainerContract;
import io.kubetune.api.v1alpha1.TrainingSpec;
import io.kubetune.trainer.UserInputException;
import io.kubetune.trainer.model.DeviceProbe;
import io.kubetune.trainer.status.StatusReporter;
import io.kubetune.trainer.status.StatusReporting;
import io.kubetune.trainer.status.TerminationMessage;
import io.kubetune.trainer.status.TrainerResults;
import io.kubetune.trainer.storage.CacheDir;
import io.kubetune.trainer.storage.RunOutput;
import io.kubetune.trainer.tracking.RunTracking;
import io.kubetune.trainer.train.FineTuneRun;
import io.kubetune.trainer.train.LossPlot;
import io.kubetune.trainer.train.MetricsLog;
import io.kubetune.trainer.train.ResumeChoice;
import io.kubetune.trainer.train.TrainingListener;
import io.kubetune.trainer.train.stage.Stages;
import io.kubetune.trainer.train.stage.TrainingStage;
import io.kubetune.trainer.validate.JobValidator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code kubetune train job.yaml}: runs a FineTuneJob on this machine. */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description = {
            "Runs the training of a FineTuneJob YAML (the same file the cluster gets) on this"
                    + " machine, writing checkpoints, metrics, answers and the adapter to a local"
                    + " folder.",
            "Ctrl-C (or SIGTERM) writes a checkpoint and stops with exit code 75; the same command"
                    + " again resumes from it."
        })
public final class TrainCommand implements Callable<Integer>, Failures.WritesFolders {
    @Parameters(index = "0", paramLabel = "JOB.yaml", description = "A FineTuneJob resource.")
    Path jobFile;

    @Option(
            names = "--output",
            paramLabel = "DIR",
            description =
                    "Where results go (default runs/<metadata.name>); with it, nothing is"
                            + " uploaded to an s3:// spec.output.uri.")
    Path output;

    @Option(
            names = "--model",
            paramLabel = "DIR",
            description = "A local model folder instead of spec.model.uri.")
    Path model;

    @Option(
            names = "--data",
            paramLabel = "FILE",
            split = ",",
            description = "Local data files instead of spec.datasets[*].uri, in order.")
    List<Path> data;

    @Option(
            names = "--device",
            defaultValue = "auto",
            description =
                    "auto (a GPU when the engine sees one, else the CPU), cpu or cuda[:N]"
                            + " (default ${DEFAULT-VALUE}); spec.training.precision auto then"
                            + " means fp32 on the CPU, bf16 on GPUs of compute capability 8.0+,"
                            + " else fp16.")
    String device;

    @Option(
            names = "--overwrite",
            description =
                    "Start again: delete the checkpoints and logs an earlier run left in the output.")
    boolean overwrite;

    @Option(
            names = "--resume-from",
            paramLabel = "DIR",
            description =
                    "Resume from this checkpoint folder (checkpoints/step-NNNNNNNN), even if a"
                            + " different spec or another FineTuneJob wrote it.")
    Path resumeFrom;

    @Spec CommandSpec spec;

    private final DeviceProbe probe;
    private final List<Path> writtenFolders =
            new ArrayList<>(List.of(CacheDir.fromEnvironment(System.getenv())));

    TrainCommand() {
        this(DeviceProbe.engine());
    }

    TrainCommand(DeviceProbe probe) {
        this.probe = probe;
    }

    @Override
    public List<Path> folders() {
        return writtenFolders;
    }

    @Option(
            names = "--tensorboard",
            description =
                    "Write TensorBoard event files to <output>/tensorboard/ (as spec.tracking.tensorboard).")
    boolean tensorboard;

    @Override
    public Integer call() throws Exception {
        // Refused here, as `kubectl apply` would, before anything is downloaded.
        String kind = new JobValidator(System.err::println).check(jobFile);
        if (!kind.equals("FineTuneJob")) {
            throw new UserInputException(
                    jobFile + " is a " + kind + ": run it with kubetune eval " + jobFile);
        }
        FineTuneJob job =
                new KubernetesSerialization()
                        .unmarshal(Files.readString(jobFile), FineTuneJob.class);
        if (job.getSpec() == null) {
            throw new IllegalArgumentException(jobFile + " has no spec: is it a FineTuneJob?");
        }
        // An unbuilt stage or conflicting flags are refused before anything downloads.
        TrainingStage<?> stage = Stages.validate(job.getSpec());
        ResumeChoice resume = ResumeChoice.of(overwrite, resumeFrom);
        if (job.getSpec().training == null) {
            job.getSpec().training = new TrainingSpec();
        }
        // A GPU asked for and not seen fails here, before anything is downloaded. FineTuneRun
        // reads the precision chosen for this device from the spec.
        ComputeTarget compute =
                ComputeTarget.choose(device, job.getSpec().training.precision, probe);
        job.getSpec().training.precision = compute.precision().toSpec();
        spec.commandLine().getOut().println("kubetune: " + compute.describe());
        spec.commandLine().getOut().flush();
        // s3:// output (with credentials): a work folder in the cache, resumed from and mirrored
        // to S3
        RunOutput sink = RunOutput.choose(job, output, System.getenv());
        Path outputDir = sink.dir();
        writtenFolders.add(outputDir);
        Device target = compute.device();
        boolean terminal = System.console() != null;
        FineTuneRun.Inputs inputs =
                JobInputs.resolve(job.getSpec(), JobInputs.resolver(jobFile), model, data);
        if (inputs.adapterDir() != null) {
            System.err.println(
                    "kubetune: starting from "
                            + inputs.modelName()
                            + " plus the adapter "
                            + job.getSpec().model.adapter.uri
                            + ", merged into its weights");
        }
        List<TrainingListener> listeners = new ArrayList<>();
        listeners.add(new ProgressLine(System.out, terminal, job.getSpec().training.loggingSteps));
        listeners.add(new MetricsLog(outputDir));
        listeners.add(new LossPlot(outputDir, stage.mainMetrics()));
        // In a pod (KUBETUNE_REPORT_STATUS=true) progress also goes to the resource's status.
        Optional<StatusReporter> status =
                StatusReporting.forTraining(job, System.getenv(), System.err, sink::uriOf);
        status.ifPresent(listeners::add);
        RunTracking tracking =
                RunTracking.forJob(
                        job,
                        tensorboard,
                        sink,
                        System.getenv(),
                        run -> status.ifPresent(s -> s.onMlflowRun(run.toStatus())));
        listeners.add(tracking);
        listeners.addAll(sink.listeners()); // last: they upload what the others wrote
        FineTuneRun run =
                new FineTuneRun(job.getSpec(), inputs, outputDir, target, listeners, resume)
                        .withDeviceProbe(probe)
                        // in a pod, the FineTuneJob's uid: its checkpoints are this run's
                        .forJob(System.getenv(TrainerContract.JOB_UID_ENV));

        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch finished = new CountDownLatch(1);
        AtomicInteger exitCode = new AtomicInteger(-1);
        Thread hook =
                new Thread(
                        () -> {
                            // Ctrl-C or SIGTERM: let the run write its checkpoint before the JVM
                            // exits.
                            stop.set(true);
                            try {
                                finished.await(5, TimeUnit.MINUTES);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                            // The JVM is shutting down, so the command's return value would be
                            // lost (exit 143): end with the code the operator reads (75).
                            if (exitCode.get() >= 0) {
                                System.out.flush();
                                System.err.flush();
                                Runtime.getRuntime().halt(exitCode.get());
                            }
                        });
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            FineTuneRun.Outcome outcome = run.run(stop::get);
            // Results are named only once they are in S3: wait for pending uploads (on a stop too).
            sink.close();
            status.ifPresent(StatusReporter::close);
            TerminationMessage.write(TrainerResults.of(outcome, sink::uriOf));
            // Stopped after a checkpoint: the same command (a new pod) resumes from it.
            exitCode.set(
                    outcome.finished()
                            ? TrainerContract.EXIT_SUCCEEDED
                            : TrainerContract.EXIT_RESUMABLE);
            return exitCode.get();
        } finally {
            try {
                tracking.close();
                sink.close(); // on an error too: what was written reaches S3
            } finally {
                status.ifPresent(StatusReporter::close);
                finished.countDown();
            }
        }
    }
}
