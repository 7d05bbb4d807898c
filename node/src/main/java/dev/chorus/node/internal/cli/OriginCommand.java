package dev.chorus.node.internal.cli;

import dev.chorus.node.internal.originserver.OriginServer;
import dev.chorus.node.internal.originserver.OriginServerConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code chorus origin --root DIR}: serves a catalog over HTTP until stopped. */
@Command(
    name = "origin",
    mixinStandardHelpOptions = true,
    versionProvider = Cli.Version.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
      "Serves a catalog directory (made by 'chorus publish') over HTTP with Range support, as "
          + "the origin nodes fall back to. For local use and demos; in production put the "
          + "catalog on S3 or behind a CDN. Runs until Ctrl-C.",
      ""
    },
    footer = {"", "Nodes use the printed URL as their origin (NodeConfig.origin)."})
public final class OriginCommand implements Callable<Integer> {
  @Option(names = "--root", required = true, paramLabel = "DIR", description = "The catalog directory.")
  Path root;

  @Option(names = "--host", defaultValue = OriginServerConfig.DEFAULT_HOST,
      description = "Address to listen on (default: ${DEFAULT-VALUE}; 0.0.0.0 for every interface).")
  String host;

  @Option(names = "--port", defaultValue = "8080",
      description = "Port (default: ${DEFAULT-VALUE}; 0 = any free port).")
  int port;

  @Option(names = "--threads", defaultValue = "" + OriginServerConfig.DEFAULT_THREADS,
      description = "Requests served at once (default: ${DEFAULT-VALUE}).")
  int threads;

  @Spec
  CommandSpec spec;

  /** Counted down to stop serving (the shutdown hook, or a test). */
  final CountDownLatch stop = new CountDownLatch(1);
  /** Completed with the server once it listens (tests). */
  final CompletableFuture<OriginServer> started = new CompletableFuture<>();

  public static void main(String[] args) {
    Cli.main(new OriginCommand(), args);
  }

  @Override
  public Integer call() {
    OriginServerConfig config;
    try {
      config = OriginServerConfig.builder().root(root).host(host).port(port).threads(threads).build();
    } catch (IllegalArgumentException e) {
      throw new CliException(Cli.USAGE, e.getMessage() + " (see --help)");
    }
    OriginServer server;
    try {
      server = OriginServer.start(config);
    } catch (IOException e) {
      started.completeExceptionally(e);
      throw new CliException(Cli.FAILED, Cli.describe(e));
    }
    Thread hook = new Thread(() -> {
      stop.countDown();
      server.close();
    }, "chorus-origin-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try (server) {
      PrintWriter out = spec.commandLine().getOut();
      out.println("serving " + root.toAbsolutePath().normalize() + " at " + server.baseUri()
          + " (Ctrl-C to stop)");
      out.flush();
      started.complete(server);
      stop.await();
      return Cli.OK;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Cli.OK;
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // the JVM is shutting down: the hook is running
      }
    }
  }
}
