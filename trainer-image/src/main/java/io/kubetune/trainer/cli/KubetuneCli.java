package io.kubetune.trainer.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The trainer's entry point: {@code kubetune <command>}. */
@Command(
        name = "kubetune",
        mixinStandardHelpOptions = true,
        description = "Fine-tune, evaluate and benchmark Hugging Face causal LMs on DJL.",
        subcommands = {BenchCommand.class, CommandLine.HelpCommand.class})
public final class KubetuneCli implements Runnable {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    /** Runs the command line and exits with its status. */
    public static void main(String[] args) {
        System.exit(new CommandLine(new KubetuneCli()).execute(args));
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }
}
