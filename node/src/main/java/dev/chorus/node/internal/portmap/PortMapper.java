package dev.chorus.node.internal.portmap;

import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shell around {@link PortMappingCore}: one thread ({@code chorus-portmap}) that carries out
 * its commands with the protocol clients, feeds the answers back, wakes it when it asked to be,
 * logs, and tells the listener. {@link #close()} removes the mapping (waiting at most a few
 * seconds for the gateway).
 */
public final class PortMapper implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PortMapper.class);
  /** How long {@link #close()} waits for the attempt under way and the removal. */
  static final long CLOSE_WAIT_MILLIS = 10_000;
  private static final int MAX_ROUTE_TABLE_BYTES = 64 * 1024;

  private final PortMappingCore core;
  private final Map<MappingProtocol, MappingClient> clients;
  private final int internalPort;
  private final PortMappingListener listener;
  private final LongSupplier clock;
  private final ScheduledExecutorService thread;
  private final AtomicBoolean closing = new AtomicBoolean();
  private volatile PortMappingStatus status = PortMappingStatus.STARTING;
  private final StringBuilder roundErrors = new StringBuilder();

  private PortMapper(PortMappingConfig config, int internalPort, PortMappingListener listener, LongSupplier clock,
      RandomGenerator random, Map<MappingProtocol, MappingClient> clients) {
    this.core = new PortMappingCore(config.policy(), internalPort, random);
    this.clients = clients;
    this.internalPort = internalPort;
    this.listener = listener;
    this.clock = clock;
    ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1,
        new DefaultThreadFactory("chorus-portmap", true));
    executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false); // a renewal hours away must not hold close()
    executor.setRemoveOnCancelPolicy(true);
    this.thread = executor;
  }

  /** Starts mapping TCP {@code internalPort} in the background. */
  public static PortMapper start(PortMappingConfig config, int internalPort, PortMappingListener listener) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(listener, "listener");
    SecureRandom random = new SecureRandom();
    InetAddress gateway = config.gateway() != null ? config.gateway() : defaultGateway(config).orElse(null);
    Map<MappingProtocol, MappingClient> clients = new EnumMap<>(MappingProtocol.class);
    if (gateway != null) {
      UdpExchange udp = new UdpExchange(new InetSocketAddress(gateway, config.gatewayPort()),
          config.udpInitialTimeout(), config.udpSends());
      clients.put(MappingProtocol.PCP, new PcpClient(udp, random));
      clients.put(MappingProtocol.NAT_PMP, new NatPmpClient(udp));
    }
    clients.put(MappingProtocol.UPNP_IGD, new UpnpIgdClient(config.ssdpTarget(), gateway, config.ssdpWait(),
        new BoundedHttp(config.httpTimeout(), config.maxHttpBodyBytes())));
    log.info("port mapping: mapping TCP port {} through gateway {} (trying {})", internalPort,
        gateway == null ? "unknown (no default route: UPnP only)" : gateway.getHostAddress(), config.policy().order());
    PortMapper mapper = new PortMapper(config, internalPort, listener, System::nanoTime, random, clients);
    mapper.thread.execute(() -> mapper.run(mapper.core.start(mapper.clock.getAsLong())));
    return mapper;
  }

  /** Where mapping stands now. */
  public PortMappingStatus status() {
    return status;
  }

  private void tick() {
    if (!closing.get()) {
      run(core.tick(clock.getAsLong()));
    }
  }

  /** Carries out commands until the core waits, then arranges to wake it. */
  private void run(MappingCommand command) {
    MappingCommand next = command;
    while (next instanceof MappingCommand.Map map && !closing.get()) {
      next = ask(map);
      publish();
    }
    if (next instanceof MappingCommand.Unmap unmap) {
      remove(unmap.mapping());
      publish();
    }
    long wake = core.nextWakeNanos();
    if (wake != Long.MAX_VALUE && !closing.get()) {
      long delay = Math.max(0, wake - clock.getAsLong());
      thread.schedule(this::tick, delay, TimeUnit.NANOSECONDS);
    }
  }

  private MappingCommand ask(MappingCommand.Map map) {
    MappingClient client = clients.get(map.protocol());
    long now;
    if (client == null) {
      now = clock.getAsLong();
      return failed(map, new MappingException(MappingFailure.LOCAL, "no gateway address (no default route in "
          + "/proc/net/route and none configured)"), now);
    }
    try {
      Mapping granted = client.map(internalPort, map.suggestedExternalPort(), map.lifetimeSeconds());
      return core.mapped(granted, clock.getAsLong());
    } catch (MappingException e) {
      return failed(map, e, clock.getAsLong());
    } catch (RuntimeException e) { // a bug in a client must not end the mapper's thread
      log.error("port mapping: {} failed unexpectedly", map.protocol(), e);
      return failed(map, new MappingException(MappingFailure.LOCAL, String.valueOf(e)), clock.getAsLong());
    }
  }

  private MappingCommand failed(MappingCommand.Map map, MappingException e, long now) {
    log.info("port mapping: {} did not map TCP port {}: {}", map.protocol(), internalPort, e.getMessage());
    if (roundErrors.length() > 0) {
      roundErrors.append("; ");
    }
    roundErrors.append(map.protocol()).append(": ").append(e.getMessage());
    return core.failed(e.failure(), e.getMessage(), now);
  }

  private void remove(Mapping mapping) {
    MappingClient client = clients.get(mapping.protocol());
    try {
      client.unmap(mapping, internalPort);
      log.info("port mapping: removed the {} mapping of TCP port {} ({}:{})", mapping.protocol(), internalPort,
          mapping.externalAddress(), mapping.externalPort());
    } catch (MappingException e) {
      log.warn("port mapping: could not remove the {} mapping of TCP port {} ({}:{}): {}; the gateway drops it "
          + "when its lease ends", mapping.protocol(), internalPort, mapping.externalAddress(), mapping.externalPort(),
          e.getMessage());
    }
  }

  /** Tells the listener (and the log) what changed since the last status. */
  private void publish() {
    PortMappingStatus before = status;
    PortMappingStatus now = core.status();
    status = now;
    Mapping was = before.mapping();
    Mapping is = now.mapping();
    if (is != null) {
      roundErrors.setLength(0);
      if (was != null && was.externalAddress().equals(is.externalAddress()) && was.externalPort() == is.externalPort()
          && was.protocol() == is.protocol()) {
        log.debug("port mapping: renewed {}:{} ({}) for {} s", is.externalAddress(), is.externalPort(), is.protocol(),
            is.lifetimeSeconds());
        listener.renewed(is);
        return;
      }
      log.info("port mapping: TCP port {} is reachable at {}:{} through the gateway ({}, {}); announcing port {}",
          internalPort, is.externalAddress(), is.externalPort(), is.protocol(),
          is.lifetimeSeconds() == 0 ? "permanent lease" : "lease " + is.lifetimeSeconds() + " s", is.externalPort());
      warnIfDoubleNat(is);
      listener.mapped(is);
      return;
    }
    if (was != null) {
      boolean onClose = now.state() == PortMappingStatus.State.STOPPED;
      String why = onClose ? "removed on close" : now.lastError();
      if (!onClose) {
        log.warn("port mapping: lost the mapping {}:{} ({}): {}", was.externalAddress(), was.externalPort(),
            was.protocol(), why);
      }
      listener.unmapped(was, onClose, why);
    }
    if (now.state() == PortMappingStatus.State.FAILED && before.state() != PortMappingStatus.State.FAILED) {
      long retry = (core.nextWakeNanos() - clock.getAsLong()) / 1_000_000_000L;
      String why = roundErrors.toString();
      roundErrors.setLength(0);
      log.warn("port mapping: no gateway protocol mapped TCP port {} ({}); the node runs without a mapping and tries "
          + "again in {} s", internalPort, why, retry);
      listener.failed(why);
    } else if (now.state() == PortMappingStatus.State.FAILED) {
      roundErrors.setLength(0);
    }
  }

  /** A private or shared external address means another NAT beyond the gateway: nobody outside reaches it. */
  private static void warnIfDoubleNat(Mapping m) {
    String a = m.externalAddress();
    if (a.startsWith("10.") || a.startsWith("192.168.") || a.matches("172\\.(1[6-9]|2\\d|3[01])\\..*")
        || a.matches("100\\.(6[4-9]|[7-9]\\d|1[01]\\d|12[0-7])\\..*")) {
      log.warn("port mapping: the gateway's external address {} is private or carrier-grade NAT space: another "
          + "NAT sits beyond it, so peers on the internet probably cannot reach this mapping", a);
    }
  }

  private static Optional<InetAddress> defaultGateway(PortMappingConfig config) {
    try (InputStream in = Files.newInputStream(config.routeTable())) {
      String table = new String(in.readNBytes(MAX_ROUTE_TABLE_BYTES), StandardCharsets.US_ASCII);
      Optional<String> gateway = DefaultGateway.fromProcNetRoute(table);
      if (gateway.isEmpty()) {
        log.warn("port mapping: {} has no IPv4 default route; set the gateway (--gateway) to use NAT-PMP and PCP",
            config.routeTable());
        return Optional.empty();
      }
      return Optional.of(InetAddress.getByName(gateway.get()));
    } catch (IOException e) {
      log.warn("port mapping: cannot read {} ({}); set the gateway (--gateway) to use NAT-PMP and PCP",
          config.routeTable(), e.toString());
      return Optional.empty();
    }
  }

  /**
   * Removes the mapping (the gateway is asked; a silent one costs at most a few seconds) and stops
   * the thread. Idempotent.
   */
  @Override
  public void close() {
    if (!closing.compareAndSet(false, true)) {
      return;
    }
    thread.execute(() -> {
      MappingCommand c = core.stop(clock.getAsLong());
      if (c instanceof MappingCommand.Unmap unmap) {
        remove(unmap.mapping());
      }
      publish();
    });
    thread.shutdown();
    try {
      if (!thread.awaitTermination(CLOSE_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
        log.warn("port mapping: the gateway did not finish within {} ms of close; the mapping ends with its lease",
            CLOSE_WAIT_MILLIS);
        thread.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      thread.shutdownNow();
    }
  }
}
