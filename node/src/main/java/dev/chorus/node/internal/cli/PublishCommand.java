package dev.chorus.node.internal.cli;

import dev.chorus.node.internal.publish.CatalogEntry;
import dev.chorus.node.internal.publish.CatalogPublisher;
import dev.chorus.node.internal.publish.FfprobeAudioProbe;
import dev.chorus.node.internal.publish.PublishReport;
import dev.chorus.node.internal.publish.PublisherKeyFiles;
import dev.chorus.node.internal.publish.ToolMissingException;
import dev.chorus.protocol.manifest.PublisherKeyPair;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code chorus publish --key KEY --in FILE|DIR... --out DIR}: audio files into a catalog. */
@Command(
    name = "publish",
    mixinStandardHelpOptions = true,
    versionProvider = Cli.Version.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
      "Publishes audio files (Ogg Opus, Ogg Vorbis, MP3, FLAC) into a catalog directory, ready to "
          + "upload to S3 or to serve with nginx or 'chorus origin':",
      "  audio/<xx>/<sha256>.<ext>   each file, named by its content",
      "  manifests/<track id>        its signed manifest",
      "  index.json                  track id, title, artist, album, duration... (merged with an existing one)",
      "",
      "Publishing the same file with the same key always gives the same track id. Prints one "
          + "line '<track id>  <file>' per published track on stdout; files that cannot be "
          + "published are named on stderr with the reason, and the others are published.",
      "Folders are walked recursively, taking files with an audio extension (.opus .ogg .oga .mp3 "
          + ".flac ...; hidden files are skipped). Needs ffprobe (Debian package ffmpeg).",
      ""
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:every file was published",
      "1:nothing was done (bad key, no ffprobe, catalog not writable, no audio files found)",
      "2:usage error, or some files could not be published (the others were)"
    },
    footer = {"", "Example: chorus publish --key publisher.key --in ~/Music/album --out catalog"})
public final class PublishCommand implements Callable<Integer> {
  @Option(names = "--key", required = true, paramLabel = "FILE",
      description = "The publisher's secret key (from 'chorus keygen').")
  Path key;

  @Option(names = "--in", required = true, arity = "1..*", paramLabel = "FILE|DIR",
      description = "Audio files and folders to publish (several after one --in, or --in repeated).")
  List<Path> inputs;

  @Option(names = "--out", required = true, paramLabel = "DIR",
      description = "The catalog directory (created if missing).")
  Path out;

  @Option(names = "--ffprobe", paramLabel = "PATH", defaultValue = "ffprobe",
      description = "The ffprobe program (default: ${DEFAULT-VALUE}, from PATH).")
  String ffprobe;

  @Spec
  CommandSpec spec;

  public static void main(String[] args) {
    Cli.main(new PublishCommand(), args);
  }

  @Override
  public Integer call() {
    PrintWriter stdout = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    String name = spec.qualifiedName();
    PublisherKeyPair keyPair;
    try {
      keyPair = PublisherKeyFiles.read(key);
      if (PublisherKeyFiles.isExposed(key)) {
        err.println(name + ": warning: " + key + " can be read by other users; chmod 600 " + key);
      }
    } catch (IOException e) {
      throw new CliException(Cli.FAILED, "cannot read the key: " + Cli.describe(e));
    }
    if (Files.exists(out) && !Files.isDirectory(out)) {
      throw new CliException(Cli.FAILED, out + " is not a directory");
    }
    FfprobeAudioProbe probe = FfprobeAudioProbe.create(ffprobe);
    try {
      probe.checkAvailable();
    } catch (ToolMissingException e) {
      throw new CliException(Cli.FAILED, e.getMessage());
    }
    PublishReport report;
    try {
      report = CatalogPublisher.create(out, keyPair, probe).publish(inputs);
    } catch (IOException e) {
      throw new CliException(Cli.FAILED, "cannot write the catalog: " + Cli.describe(e));
    }
    for (PublishReport.Published p : report.published()) {
      stdout.println(p.entry().trackId() + "  " + p.source());
    }
    stdout.flush();
    for (PublishReport.Failure f : report.failed()) {
      err.println(name + ": " + f.source() + ": " + f.reason());
    }
    if (report.published().isEmpty() && report.failed().isEmpty()) {
      throw new CliException(Cli.FAILED, "no audio files found in " + inputs
          + (report.skippedInFolders() > 0 ? " (" + report.skippedInFolders()
              + " files skipped: hidden, or without an audio extension)" : ""));
    }
    StringBuilder summary = new StringBuilder()
        .append("published ").append(count(report.published().size(), "track"))
        .append(" to ").append(out);
    if (!report.published().isEmpty()) {
      summary.append(" (publisher ").append(keyPair.publicKey().toText()).append(')');
    }
    if (!report.failed().isEmpty()) {
      summary.append("; ").append(count(report.failed().size(), "file")).append(" failed");
    }
    if (report.skippedInFolders() > 0) {
      summary.append("; skipped ").append(count(report.skippedInFolders(), "file"))
          .append(" in folders (hidden, or without an audio extension)");
    }
    err.println(name + ": " + summary);
    if (!report.published().isEmpty()) {
      long withoutTitle = report.published().stream().map(PublishReport.Published::entry)
          .map(CatalogEntry::title).filter(t -> t == null).count();
      if (withoutTitle > 0) {
        err.println(name + ": " + count(withoutTitle, "track") + " without a title tag");
      }
    }
    err.flush();
    return report.failed().isEmpty() ? Cli.OK : Cli.USAGE;
  }

  private static String count(long n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }
}
