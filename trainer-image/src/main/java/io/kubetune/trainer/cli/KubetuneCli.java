package io.kubetune.trainer.cli;

import io.kubetune.trainer.status.SecretRedactor;
import io.kubetune.trainer.status.TerminationMessage;
import io.kubetune.trainer.status.TrainerFailure;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The trainer's entry point: {@code kubetune <command>}. */
@Command(
        name = "kubetune",
        mixinStandardHelpOptions = true,
        description = "Fine-tune, evaluate and benchmark Hugging Face causal LMs on DJL.",
        subcommands = {
            TrainCommand.class,
            EvalCommand.class,
            GenerateCommand.class,
            ChatCommand.class,
            InitModelCommand.class,
            BenchCommand.class,
            CommandLine.HelpCommand.class
        })
public final class KubetuneCli implements Runnable {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    /** Runs the command line and exits with its status. */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line, with errors a user can fix shown as one line rather than a trace. */
    static CommandLine commandLine() {
        return new CommandLine(new KubetuneCli())
                .setExecutionExceptionHandler(
                        (e, cmd, parsed) -> {
                            SecretRedactor redactor = SecretRedactor.fromEnvironment();
                            if (!(e instanceof IllegalArgumentException)
                                    && !(e instanceof IOException)) {
                                // A bug rather than a user's mistake: the trace helps, masked.
                                StringWriter trace = new StringWriter();
                                e.printStackTrace(new PrintWriter(trace));
                                cmd.getErr().print(redactor.redact(trace.toString()));
                            }
                            cmd.getErr().println("error: " + TrainerFailure.message(e, redactor));
                            TerminationMessage.write(TrainerFailure.result(e, redactor));
                            return TrainerFailure.exitCode(e);
                        });
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }
}
