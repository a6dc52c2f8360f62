package io.kubetune.trainer.cli;

import io.kubetune.trainer.model.DeviceProbe;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import picocli.CommandLine;

/** A `kubetune ...` command run in-process: what the user sees (exit code, stdout, stderr). */
record CliRun(int exitCode, String out, String err) {
    static CliRun of(String... args) {
        return on(DeviceProbe.engine(), args);
    }

    /** On a machine as the probe describes it. */
    static CliRun on(DeviceProbe machine, String... args) {
        return run(KubetuneCli.commandLine(machine), args);
    }

    static CliRun run(CommandLine cli, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new CliRun(exit, out.toString(), err.toString());
    }

    /** The lines written to stderr. */
    List<String> errLines() {
        return err.lines().filter(l -> !l.isBlank()).toList();
    }
}
