package dev.chorus.testing.netns;

import dev.chorus.testing.ExternalTool;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A small internet in network namespaces, for tests of NAT traversal against the kernel's own NAT.
 *
 * <pre>
 *   public namespace  (198.51.100.1 on lo: tracker, origin, public nodes)
 *     ├─ up1 203.0.113.1/30 ── wan 203.0.113.2/30  router 1  (nftables masquerade out of wan)
 *     │                         lan 10.1.0.1/24 ── eth0 10.1.0.2/24  home 1
 *     ├─ up2 203.0.113.5/30 ── wan 203.0.113.6/30  router 2
 *     │                         lan 10.2.0.1/24 ── eth0 10.2.0.2/24  home 2
 *     └─ …
 * </pre>
 *
 * Only private and documentation ranges (10.0.0.0/8, 198.51.100.0/24, 203.0.113.0/24), only in
 * namespaces this lab creates, named uniquely per run ({@code ch<pid>x<n>-…}), and all removed by
 * {@link #close()} with the processes started in them, also when a test fails. A router forwards
 * and masquerades but forwards no port in: a home node's listen port cannot be reached from the
 * public side ({@link #forwardPort} adds the DNAT rule a port-mapping gateway would install). A
 * bare router answers an unsolicited connection to its WAN address with a reset, as Linux does;
 * {@link #dropUnsolicited} makes it drop such connections instead, as home-router firewalls do.
 *
 * <p>Where namespaces cannot be made (no root, no {@code ip} or {@code nft}), {@link #create()}
 * skips the test with the reason; with {@code CI=true} it fails it.
 */
public final class NetnsLab implements AutoCloseable {
  /** Where public services listen: on the public namespace's loopback, routed to by every router. */
  public static final String PUBLIC_ADDRESS = "198.51.100.1";
  private static final AtomicInteger LABS = new AtomicInteger();

  /** A home network behind its own router. */
  public record Home(String namespace, String router, String address, String routerWanAddress) {}

  private final Path ip;
  private final Path nft;
  private final String prefix;
  private final String publicNamespace;
  private final List<String> namespaces = new ArrayList<>();
  private final List<Process> processes = Collections.synchronizedList(new ArrayList<>());
  private int homes;

  private NetnsLab(Path ip, Path nft, String prefix) {
    this.ip = ip;
    this.nft = nft;
    this.prefix = prefix;
    this.publicNamespace = prefix + "-pub";
  }

  /**
   * A lab with its public namespace. Skips the test (fails it under {@code CI=true}) when the
   * tools are missing or namespaces cannot be created here.
   */
  public static NetnsLab create() {
    Path ip = ExternalTool.require("ip", "iproute2");
    Path nft = ExternalTool.require("nft", "nftables");
    NetnsLab lab = new NetnsLab(ip, nft, "ch" + ProcessHandle.current().pid() + "x" + LABS.incrementAndGet());
    String refused = lab.tryCommand(ip.toString(), "netns", "add", lab.publicNamespace);
    if (refused != null) {
      String message = "network namespaces are not permitted here (" + refused.strip()
          + "); run as root, or with CAP_NET_ADMIN and CAP_SYS_ADMIN";
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        Assertions.fail(message + " (CI=true: this test must run)");
      }
      Assumptions.abort(message);
    }
    lab.namespaces.add(lab.publicNamespace);
    try {
      lab.ipIn(lab.publicNamespace, "link", "set", "lo", "up");
      lab.ipIn(lab.publicNamespace, "addr", "add", PUBLIC_ADDRESS + "/32", "dev", "lo");
      // The public side routes between routers too: home to home goes through it, as over the internet.
      lab.exec(lab.publicNamespace, "sh", "-c", "echo 1 > /proc/sys/net/ipv4/ip_forward");
    } catch (RuntimeException e) {
      lab.close();
      throw e;
    }
    return lab;
  }

  public String publicNamespace() {
    return publicNamespace;
  }

  /**
   * Adds a home network behind a new router that masquerades what leaves its WAN side (source
   * address and, where it can, source port kept, as Linux's masquerade does).
   */
  public Home addHome() {
    int n = ++homes;
    if (n > 60) {
      throw new IllegalStateException("at most 60 homes per lab");
    }
    String router = prefix + "-r" + n;
    String home = prefix + "-h" + n;
    String up = "203.0.113." + (4 * n - 3);
    String wan = "203.0.113." + (4 * n - 2);
    String lanRouter = "10." + n + ".0.1";
    String lanHome = "10." + n + ".0.2";
    addNamespace(router);
    addNamespace(home);
    run(ip.toString(), "link", "add", "up" + n, "netns", publicNamespace, "type", "veth", "peer", "name", "wan",
        "netns", router);
    run(ip.toString(), "link", "add", "lan", "netns", router, "type", "veth", "peer", "name", "eth0", "netns", home);
    ipIn(publicNamespace, "addr", "add", up + "/30", "dev", "up" + n);
    ipIn(publicNamespace, "link", "set", "up" + n, "up");
    ipIn(router, "addr", "add", wan + "/30", "dev", "wan");
    ipIn(router, "link", "set", "wan", "up");
    ipIn(router, "addr", "add", lanRouter + "/24", "dev", "lan");
    ipIn(router, "link", "set", "lan", "up");
    ipIn(router, "route", "add", "default", "via", up);
    ipIn(home, "addr", "add", lanHome + "/24", "dev", "eth0");
    ipIn(home, "link", "set", "eth0", "up");
    ipIn(home, "route", "add", "default", "via", lanRouter);
    exec(router, "sh", "-c", "echo 1 > /proc/sys/net/ipv4/ip_forward");
    nftIn(router, "table ip nat {\n"
        + "  chain postrouting {\n"
        + "    type nat hook postrouting priority 100; policy accept;\n"
        + "    oifname \"wan\" masquerade\n"
        + "  }\n"
        + "}\n");
    return new Home(home, router, lanHome, wan);
  }

  /** Forwards TCP {@code port} on the router's WAN address to the same port of its home (a mapping). */
  public void forwardPort(Home home, int port) {
    nftIn(home.router(), "table ip nat {\n"
        + "  chain prerouting {\n"
        + "    type nat hook prerouting priority -100; policy accept;\n"
        + "    iifname \"wan\" tcp dport " + port + " dnat to " + home.address() + "\n"
        + "  }\n"
        + "}\n");
  }

  /**
   * Makes the router drop new connections that arrive on its WAN side, for itself or its home,
   * instead of answering them with a reset (the kernel's answer when nothing listens): what a
   * home router's firewall does. Connections its home opened, and their replies, pass as before.
   */
  public void dropUnsolicited(Home home) {
    nftIn(home.router(), "table inet filter {\n"
        + "  chain input {\n"
        + "    type filter hook input priority 0; policy accept;\n"
        + "    iifname \"wan\" ct state new drop\n"
        + "  }\n"
        + "  chain forward {\n"
        + "    type filter hook forward priority 0; policy accept;\n"
        + "    iifname \"wan\" ct state new drop\n"
        + "  }\n"
        + "}\n");
  }

  /** The router's nftables ruleset with its counters (for a report when a test fails). */
  public String ruleset(Home home) {
    return output(ip.toString(), "netns", "exec", home.router(), nft.toString(), "list", "ruleset");
  }

  /**
   * Starts {@code command} inside {@code namespace}, stdout and stderr to {@code log}. Ended by
   * {@link #close()} if still running.
   */
  public Process start(String namespace, List<String> command, Path log) throws IOException {
    List<String> full = new ArrayList<>(List.of(ip.toString(), "netns", "exec", namespace));
    full.addAll(command);
    Process p = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    processes.add(p);
    return p;
  }

  /** Starts {@code command} inside {@code namespace} with pipes to the test; ended by {@link #close()}. */
  public Process startPiped(String namespace, List<String> command, Path stderr) throws IOException {
    List<String> full = new ArrayList<>(List.of(ip.toString(), "netns", "exec", namespace));
    full.addAll(command);
    Process p = new ProcessBuilder(full).redirectError(stderr.toFile()).start();
    processes.add(p);
    return p;
  }

  /** Runs {@code command} inside {@code namespace} to its end; fails if it fails. */
  public String exec(String namespace, String... command) {
    List<String> full = new ArrayList<>(List.of(ip.toString(), "netns", "exec", namespace));
    full.addAll(List.of(command));
    return output(full.toArray(String[]::new));
  }

  /** Ends every process started here, then removes every namespace (their veths go with them). */
  @Override
  public void close() {
    synchronized (processes) {
      for (Process p : processes) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
      }
      for (Process p : processes) {
        try {
          p.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      processes.clear();
    }
    List<String> failures = new ArrayList<>();
    for (int i = namespaces.size() - 1; i >= 0; i--) {
      String refused = tryCommand(ip.toString(), "netns", "del", namespaces.get(i));
      if (refused != null) {
        failures.add(namespaces.get(i) + ": " + refused.strip());
      }
    }
    namespaces.clear();
    if (!failures.isEmpty()) {
      throw new IllegalStateException("could not remove network namespaces " + failures);
    }
  }

  private void addNamespace(String name) {
    run(ip.toString(), "netns", "add", name);
    namespaces.add(name);
    ipIn(name, "link", "set", "lo", "up");
  }

  private void ipIn(String namespace, String... args) {
    List<String> full = new ArrayList<>(List.of(ip.toString(), "-n", namespace));
    full.addAll(List.of(args));
    run(full.toArray(String[]::new));
  }

  private void nftIn(String namespace, String ruleset) {
    try {
      Process p = new ProcessBuilder(ip.toString(), "netns", "exec", namespace, nft.toString(), "-f", "-")
          .redirectErrorStream(true).start();
      p.getOutputStream().write(ruleset.getBytes(StandardCharsets.UTF_8));
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException("nft in " + namespace + " failed: " + out + "\nruleset:\n" + ruleset);
      }
    } catch (IOException e) {
      throw new IllegalStateException("could not run nft: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private void run(String... command) {
    output(command);
  }

  private static String output(String... command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " failed: " + out.strip());
      }
      return out;
    } catch (IOException e) {
      throw new IllegalStateException("could not run " + command[0] + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** Runs a command; null if it worked, else its output. */
  private String tryCommand(String... command) {
    try {
      output(command);
      return null;
    } catch (IllegalStateException e) {
      return e.getMessage();
    }
  }
}
