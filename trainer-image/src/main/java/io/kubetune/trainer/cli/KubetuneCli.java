package io.kubetune.trainer.cli;

import io.kubetune.trainer.model.DeviceProbe;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The trainer's entry point: {@code kubetune <command>}. */
@Command(
        name = "kubetune",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Fine-tune, evaluate and benchmark Hugging Face causal LMs on DJL.",
        subcommands = {
            TrainCommand.class,
            EvalCommand.class,
            GenerateCommand.class,
            ChatCommand.class,
            InitModelCommand.class,
            BenchCommand.class,
            ValidateCommand.class,
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
        return commandLine(DeviceProbe.engine());
    }

    /** The command line with another answer to "which devices are there" (tests). */
    static CommandLine commandLine(DeviceProbe probe) {
        return new CommandLine(new KubetuneCli(), new ProbeFactory(probe))
                .setExecutionExceptionHandler(new Failures());
    }

    /** Gives the probe to the commands and options that choose a device. */
    private record ProbeFactory(DeviceProbe probe) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> type) throws Exception {
            try {
                return type.getDeclaredConstructor(DeviceProbe.class).newInstance(probe);
            } catch (NoSuchMethodException e) {
                return CommandLine.defaultFactory().create(type);
            }
        }
    }

    @Option(
            names = "--debug",
            scope = CommandLine.ScopeType.INHERIT,
            description = "On an error, print its stack trace too.")
    boolean debug;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }
}
