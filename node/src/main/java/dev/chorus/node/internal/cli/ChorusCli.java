package dev.chorus.node.internal.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code chorus <command>}: the node-side commands in one entry point. Each command also runs on
 * its own ({@link KeygenCommand#main}, ...). To add one, write a picocli {@code @Command} class in
 * this package and list it in {@code subcommands} below.
 *
 * <p>Exit codes: 0 success; 1 the command failed (message on stderr); 2 usage error, and for
 * {@code publish} some files could not be published (the others were).
 */
@Command(
    name = "chorus",
    mixinStandardHelpOptions = true,
    versionProvider = Cli.Version.class,
    usageHelpAutoWidth = true,
    synopsisSubcommandLabel = "COMMAND",
    description = {"Chorus: peer-assisted audio delivery.", ""},
    subcommands = {
      KeygenCommand.class,
      PublishCommand.class,
      OriginCommand.class,
      NodeCommand.class,
      CommandLine.HelpCommand.class,
    },
    footer = {"", "Run 'chorus COMMAND --help' for a command's options."})
public final class ChorusCli implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  public static void main(String[] args) {
    Cli.main(new ChorusCli(), args);
  }

  /** Runs the command line with the given output streams and returns the exit code. */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    return Cli.commandLine(new ChorusCli(), out, err).execute(args);
  }

  /** {@code chorus} without a command: the usage, on stderr, and exit code 2. */
  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return Cli.USAGE;
  }
}
