package dev.chorus.node.internal.cli;

import dev.chorus.node.internal.publish.CatalogEntry;
import dev.chorus.node.internal.publish.CatalogPublisher;
import dev.chorus.node.internal.publish.FfprobeAudioProbe;
import dev.chorus.node.internal.publish.PublishReport;
import dev.chorus.node.internal.publish.PublisherKeyFiles;
import dev.chorus.node.internal.publish.ToolMissingException;
import dev.chorus.node.internal.s3.S3Access;
import dev.chorus.node.internal.s3.S3AccessException;
import dev.chorus.node.internal.s3.S3Location;
import dev.chorus.protocol.manifest.PublisherKeyPair;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code chorus publish --key KEY --in FILE|DIR... --out DIR|s3://bucket/prefix}: audio files into
 * a catalog, in a directory or a bucket.
 */
@Command(
    name = "publish",
    mixinStandardHelpOptions = true,
    versionProvider = Cli.Version.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
      "Publishes audio files (Ogg Opus, Ogg Vorbis, MP3, FLAC) into a catalog: a directory, ready "
          + "to serve with nginx or 'chorus origin', or a bucket (s3://bucket/prefix):",
      "  audio/<xx>/<sha256>.<ext>   each file, named by its content",
      "  manifests/<track id>        its signed manifest",
      "  index.json                  track id, title, artist, album, duration... (merged with an existing one)",
      "",
      "Publishing the same file with the same key always gives the same track id. Prints one "
          + "line '<track id>  <file>' per published track on stdout; files that cannot be "
          + "published are named on stderr with the reason, and the others are published.",
      "Folders are walked recursively, taking files with an audio extension (.opus .ogg .oga .mp3 "
          + ".flac ...; hidden files are skipped). Needs ffprobe (Debian package ffmpeg).",
      "",
      "To a bucket: credentials and region come from the AWS SDK's standard chains "
          + "(AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE and ~/.aws, AWS_REGION, instance "
          + "and container roles). Objects already in the bucket with the same content are not "
          + "uploaded again; the index is merged and uploaded last, so readers never see a track "
          + "whose objects are missing. Files over 16 MiB go up in parts.",
      ""
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:every file was published",
      "1:nothing was done (bad key, no ffprobe, catalog not writable, no audio files found, no AWS "
          + "credentials, no such bucket, access denied)",
      "2:usage error, or some files could not be published (the others were)"
    },
    footer = {"", "Examples: chorus publish --key publisher.key --in ~/Music/album --out catalog",
        "          chorus publish --key publisher.key --in ~/Music --out s3://my-music/catalog",
        "          chorus publish --key publisher.key --in ~/Music --out s3://music/catalog "
            + "--s3-endpoint http://127.0.0.1:9000"})
public final class PublishCommand implements Callable<Integer> {
  @Option(names = "--key", required = true, paramLabel = "FILE",
      description = "The publisher's secret key (from 'chorus keygen').")
  Path key;

  @Option(names = "--in", required = true, arity = "1..*", paramLabel = "FILE|DIR",
      description = "Audio files and folders to publish (several after one --in, or --in repeated).")
  List<Path> inputs;

  @Option(names = "--out", required = true, paramLabel = "DIR|s3://BUCKET/PREFIX",
      description = "The catalog: a directory (created if missing), or a prefix in an existing bucket.")
  String out;

  @Option(names = "--s3-endpoint", paramLabel = "URL",
      description = "With an s3:// --out: the endpoint of an S3-compatible store (MinIO, Ceph, R2...), "
          + "addressed path-style (default: AWS S3).")
  URI s3Endpoint;

  @Option(names = "--s3-region", paramLabel = "REGION",
      description = "With an s3:// --out: the bucket's region (default: from AWS_REGION or the AWS "
          + "profile; us-east-1 with --s3-endpoint).")
  String s3Region;

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
    FfprobeAudioProbe probe = FfprobeAudioProbe.create(ffprobe);
    try {
      probe.checkAvailable();
    } catch (ToolMissingException e) {
      throw new CliException(Cli.FAILED, e.getMessage());
    }
    PublishReport report;
    String destination;
    try (CatalogPublisher publisher = publisher(keyPair, probe)) {
      destination = publisher.destination();
      report = publisher.publish(inputs);
    } catch (S3AccessException e) {
      throw new CliException(Cli.FAILED, e.getMessage());
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
        .append(" to ").append(destination);
    if (!report.published().isEmpty()) {
      summary.append(" (publisher ").append(keyPair.publicKey().toText()).append(')');
    }
    if (!report.failed().isEmpty()) {
      summary.append("; ").append(count(report.failed().size(), "file")).append(" failed");
    }
    if (S3Location.isS3(out)) {
      summary.append("; ").append(count(report.objectsWritten(), "object")).append(" written, ")
          .append(report.objectsUnchanged()).append(" already there");
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

  /** The publisher into --out: a directory, or a bucket. */
  private CatalogPublisher publisher(PublisherKeyPair keyPair, FfprobeAudioProbe probe) throws S3AccessException {
    if (!S3Location.isS3(out)) {
      if (s3Endpoint != null || s3Region != null) {
        throw new CliException(Cli.USAGE, "--s3-endpoint and --s3-region go with an s3:// --out");
      }
      Path dir = Path.of(out);
      if (Files.exists(dir) && !Files.isDirectory(dir)) {
        throw new CliException(Cli.FAILED, out + " is not a directory");
      }
      return CatalogPublisher.create(dir, keyPair, probe);
    }
    S3Location location;
    S3Access access;
    try {
      location = S3Location.parse("--out", out);
      access = S3Access.builder().endpoint(s3Endpoint).region(s3Region).build();
    } catch (IllegalArgumentException e) {
      throw new CliException(Cli.USAGE, e.getMessage());
    }
    return CatalogPublisher.toBucket(location, access, keyPair, probe);
  }

  private static String count(long n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }
}
