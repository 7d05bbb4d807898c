package dev.chorus.node.internal.cli;

import dev.chorus.node.internal.publish.PublisherKeyFiles;
import dev.chorus.protocol.manifest.PublisherKeyPair;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code chorus keygen --out FILE}: a new publisher key pair. */
@Command(
    name = "keygen",
    mixinStandardHelpOptions = true,
    versionProvider = Cli.Version.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
      "Makes a publisher key pair (Ed25519). The secret key goes to --out, readable by you only "
          + "(mode 0600): 'chorus publish --key' signs with it. The public key is printed on "
          + "stdout: give it to nodes (trusted publisher) so that they accept your tracks.",
      ""
    },
    footer = {"", "Example: chorus keygen --out publisher.key > publisher.pub"})
public final class KeygenCommand implements Callable<Integer> {
  @Option(names = "--out", required = true, paramLabel = "FILE",
      description = "Where to write the secret key.")
  Path out;

  @Option(names = "--force",
      description = "Replace an existing key file. Tracks signed with the old key keep its "
          + "publisher id; nodes that trust only the new key reject them.")
  boolean force;

  @Spec
  CommandSpec spec;

  public static void main(String[] args) {
    Cli.main(new KeygenCommand(), args);
  }

  @Override
  public Integer call() {
    if (Files.isDirectory(out)) {
      throw new CliException(Cli.FAILED, out + " is a directory; give the key file's name, e.g. "
          + out.resolve("publisher.key"));
    }
    PublisherKeyPair key = PublisherKeyPair.generate(new SecureRandom());
    try {
      PublisherKeyFiles.write(out, key, force);
    } catch (FileAlreadyExistsException e) {
      throw new CliException(Cli.FAILED, out + " already exists; not replacing a key "
          + "(use --force to replace it)");
    } catch (IOException e) {
      throw new CliException(Cli.FAILED, "cannot write the key: " + Cli.describe(e));
    }
    PrintWriter err = spec.commandLine().getErr();
    err.println("wrote the secret key to " + out + " (mode 0600: keep it secret, and back it up)");
    err.println("public key (nodes trust this one):");
    err.flush();
    PrintWriter stdout = spec.commandLine().getOut();
    stdout.println(key.publicKey().toText());
    stdout.flush();
    return Cli.OK;
  }
}
