package io.kubetune.trainer.cli;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.kubetune.api.v1alpha1.DataFormat;
import io.kubetune.api.v1alpha1.EvalJob;
import io.kubetune.api.v1alpha1.EvalJobSpec;
import io.kubetune.api.v1alpha1.EvalResult;
import io.kubetune.api.v1alpha1.EvalTask;
import io.kubetune.api.v1alpha1.EvalTaskName;
import io.kubetune.api.v1alpha1.TrainerResult;
import io.kubetune.trainer.UserInputException;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.peft.StartingAdapter;
import io.kubetune.trainer.status.EvalStatus;
import io.kubetune.trainer.status.TerminationMessage;
import io.kubetune.trainer.storage.InputResolver;
import io.kubetune.trainer.tokenizer.HfTokenizer;
import io.kubetune.trainer.tracking.MlflowEvalResults;
import io.kubetune.trainer.validate.JobValidator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code kubetune eval evaljob.yaml}: runs an EvalJob's tasks on its model and adapter, and reports
 * the results to the EvalJob's status and the termination message.
 */
final class EvalJobRun {
    /** Where hellaswag is read from when a task names no dataUri (the validation split). */
    static final String HELLASWAG_DEFAULT = "hf://datasets/Rowan/hellaswag";

    private final EvalCommand command;
    private final Path jobFile;

    EvalJobRun(EvalCommand command, Path jobFile) {
        this.command = command;
        this.jobFile = jobFile;
    }

    int call() throws Exception {
        EvalJob job = read(jobFile);
        EvalJobSpec spec = job.getSpec();
        command.models.usePrecision(spec.precision);
        command.models.useQuantization(spec.quantization, spec.doubleQuant);
        // A GPU asked for and not seen, or a bad quantization, fails before any download.
        System.err.println("kubetune: " + command.models.target().describe());
        command.models.quantizer();
        InputResolver inputs = JobInputs.resolver(jobFile);
        JobInputs.refuseUnresolved(spec.model);
        command.models.baseAdapter = JobInputs.startingAdapter(spec.model, inputs);
        if (command.models.baseAdapter != null) {
            StartingAdapter.refuseUnmergeable(command.models.baseAdapter);
        }
        command.models.model = inputs.resolve(spec.model.uri, "spec.model.uri");
        command.models.adapter = adapter(spec, inputs);
        List<EvalResult> results = new ArrayList<>();
        int batchSize = spec.batchSize != null ? spec.batchSize : command.batchSize;
        try (PretrainedModel loaded = command.models.load();
                HfTokenizer tokenizer = HfTokenizer.load(command.models.model)) {
            for (int i = 0; i < spec.tasks.size(); i++) {
                EvalTask task = spec.tasks.get(i);
                String name = task.name == EvalTaskName.PERPLEXITY ? "perplexity" : "hellaswag";
                String uri = task.dataUri != null ? task.dataUri : HELLASWAG_DEFAULT;
                Path data =
                        inputs.resolve(
                                uri,
                                "spec.tasks[" + i + "].dataUri",
                                Boolean.TRUE.equals(task.allowInsecureHttp));
                DataFormat format = task.format != null ? task.format : DataFormat.TEXT;
                results.add(
                        command.runTask(
                                loaded, tokenizer, name, data, format, spec.limit, batchSize));
            }
        }
        EvalStatus.report(job, results, System.getenv(), System.err);
        MlflowEvalResults.log(job, results, System.getenv(), System.err);
        TrainerResult result = new TrainerResult();
        result.evalResults = results;
        TerminationMessage.write(result);
        return 0;
    }

    private static EvalJob read(Path file) throws java.io.IOException {
        // Refused here, as `kubectl apply` would, before anything is downloaded.
        String kind = new JobValidator(System.err::println).check(file);
        if (!kind.equals("EvalJob")) {
            throw new UserInputException(
                    file + " is a " + kind + ": run it with kubetune train " + file);
        }
        EvalJob job =
                new KubernetesSerialization().unmarshal(Files.readString(file), EvalJob.class);
        if (job.getSpec() == null || job.getSpec().model == null || job.getSpec().tasks == null) {
            throw new IllegalArgumentException(
                    file + " has no spec.model or spec.tasks: is it an EvalJob?");
        }
        return job;
    }

    private static Path adapter(EvalJobSpec spec, InputResolver inputs) throws java.io.IOException {
        if (spec.adapter == null) {
            return null;
        }
        if (spec.adapter.uri == null) {
            if (spec.adapter.fineTuneJobRef != null) {
                throw new IllegalArgumentException(
                        "spec.adapter.fineTuneJobRef "
                                + spec.adapter.fineTuneJobRef.name
                                + " has no spec.adapter.uri: the operator writes the FineTuneJob's"
                                + " adapter URI into the job file before the pod starts; run it"
                                + " through the operator, or set spec.adapter.uri to the adapter"
                                + " folder");
            }
            return null;
        }
        return inputs.resolve(spec.adapter.uri, "spec.adapter.uri");
    }
}
