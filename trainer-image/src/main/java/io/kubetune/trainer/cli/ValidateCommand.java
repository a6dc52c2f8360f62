package io.kubetune.trainer.cli;

import io.kubetune.api.v1alpha1.TrainerContract;
import io.kubetune.trainer.validate.JobValidator;
import io.kubetune.trainer.validate.SpecProblem;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code kubetune validate job.yaml}: the API server's checks, on this machine. */
@Command(
        name = "validate",
        mixinStandardHelpOptions = true,
        description = {
            "Checks FineTuneJob and EvalJob files as the API server does on `kubectl apply`"
                    + " (the CRD's schema and CEL rules), naming the line, the field and the fix"
                    + " of each problem. `train` and `eval` run the same check first.",
            "Exit code 0 when every file is valid, 2 otherwise."
        })
public final class ValidateCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "JOB.yaml", description = "Job files to check.")
    List<Path> files;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        boolean allValid = true;
        for (Path file : files) {
            JobValidator.Result result =
                    new JobValidator(spec.commandLine().getErr()::println).validate(file);
            for (SpecProblem problem : result.problems()) {
                spec.commandLine().getErr().println(problem.format(file.toString()));
            }
            if (result.valid()) {
                spec.commandLine().getOut().println(file + ": a valid " + result.kind());
                for (String field : result.localOnly()) {
                    spec.commandLine()
                            .getOut()
                            .println(
                                    "  note: "
                                            + field
                                            + " is a relative path: fine on this machine; on a"
                                            + " cluster use hf://, s3://, https:// or an absolute"
                                            + " path");
                }
            }
            allValid &= result.valid();
        }
        return allValid ? TrainerContract.EXIT_SUCCEEDED : TrainerContract.EXIT_INVALID_SPEC;
    }
}
