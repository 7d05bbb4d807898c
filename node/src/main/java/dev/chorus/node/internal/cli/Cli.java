package dev.chorus.node.internal.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/** What every Chorus command shares: exit codes, error printing, output streams. */
final class Cli {
  /** Success. */
  static final int OK = 0;
  /** The command could not do its job (bad key file, missing ffprobe, port in use...). */
  static final int FAILED = 1;
  /** A usage error (picocli's code), and for {@code publish}: some files could not be published. */
  static final int USAGE = 2;

  private Cli() {}

  /** A command line for {@code command} writing to {@code out} and {@code err}, with Chorus's error handling. */
  static CommandLine commandLine(Object command, PrintWriter out, PrintWriter err) {
    CommandLine cl = new CommandLine(command);
    cl.setOut(out).setErr(err).setExecutionExceptionHandler(Cli::handle);
    return cl;
  }

  /** Runs {@code command} with {@code args} on System.out/err and exits the JVM with its code. */
  static void main(Object command, String... args) {
    // Readable daemon logs by default; -Dorg.slf4j.simpleLogger.* on the command line still wins.
    defaultProperty("org.slf4j.simpleLogger.showDateTime", "true");
    defaultProperty("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd HH:mm:ss.SSS");
    defaultProperty("org.slf4j.simpleLogger.showShortLogName", "true");
    PrintWriter out = new PrintWriter(System.out, true);
    PrintWriter err = new PrintWriter(System.err, true);
    int code = commandLine(command, out, err).execute(args);
    out.flush();
    err.flush();
    System.exit(code);
  }

  private static void defaultProperty(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }

  private static int handle(Exception e, CommandLine cl, ParseResult parsed) {
    PrintWriter err = cl.getErr();
    String name = cl.getCommandSpec().qualifiedName();
    if (e instanceof CliException ce) {
      err.println(name + ": " + ce.getMessage());
      err.flush();
      return ce.exitCode();
    }
    err.println(name + ": internal error (please report it): " + e);
    e.printStackTrace(err);
    err.flush();
    return FAILED;
  }

  /** A one-line description of an I/O error, naming the file. */
  static String describe(IOException e) {
    if (e instanceof AccessDeniedException a) {
      return a.getFile() + ": permission denied";
    }
    if (e instanceof NoSuchFileException n) {
      return n.getFile() + ": " + (n.getReason() != null ? n.getReason() : "no such file or directory");
    }
    if (e instanceof FileSystemException f && f.getFile() != null) {
      return f.getFile() + ": " + (f.getReason() != null ? f.getReason() : e.getClass().getSimpleName());
    }
    return e.getMessage() != null ? e.getMessage() : e.toString();
  }

  /** Version from the jar manifest, or "development" when run from classes. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Cli.class.getPackage().getImplementationVersion();
      return new String[] {"chorus " + (v == null ? "development" : v)};
    }
  }
}
