package dev.chorus.simulator.scenario;

import dev.chorus.node.SwarmConfig;
import dev.chorus.protocol.time.Durations;
import dev.chorus.simulator.network.BandwidthDistribution;
import dev.chorus.simulator.network.Latency;
import dev.chorus.simulator.network.NetworkModel;
import dev.chorus.simulator.network.PeerFailures;
import dev.chorus.simulator.workload.WorkloadConfig;
import dev.chorus.tracker.index.PeerIndexConfig;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads scenario files into a {@link Scenario} and writes a scenario back as text.
 *
 * <p>A scenario file is UTF-8 text, one {@code key = value} a line; blank lines and lines starting
 * with {@code #} are ignored, and {@code #} after whitespace starts a comment. Absent keys keep
 * their defaults; {@code sim.name} defaults to the file's name without {@code .scenario}. Every key,
 * its default and its allowed values are in {@code simulator/docs/scenarios.md}; {@link #keys()}
 * lists them in that order. Any problem is a {@link ScenarioException} naming the file, the line and
 * the key.
 */
public final class ScenarioFile {
  /** Where every key is documented; error messages point there. */
  public static final String DOCS = "simulator/docs/scenarios.md";
  /** The extension of scenario files, stripped to make the default {@code sim.name}. */
  public static final String EXTENSION = ".scenario";
  /** The source named in errors about command-line overrides. */
  public static final String OVERRIDE_SOURCE = "--set";

  static final String SIM_NAME = "sim.name";
  static final String SIM_SEED = "sim.seed";
  static final String SIM_PEERS = "sim.peers";
  static final String SIM_DURATION = "sim.duration";
  static final String SIM_WARMUP = "sim.warmup";
  static final String SIM_SAMPLE_INTERVAL = "sim.sampleInterval";
  static final String SIM_CHUNK_BYTES = "sim.chunkBytes";
  static final String SIM_HISTORY_DAYS = "sim.historyDays";
  static final String SIM_HISTORY_TOLERANCE = "sim.historyTolerance";
  static final List<String> SIM_KEYS = List.of(SIM_NAME, SIM_SEED, SIM_PEERS, SIM_DURATION,
      SIM_WARMUP, SIM_SAMPLE_INTERVAL, SIM_CHUNK_BYTES, SIM_HISTORY_DAYS,
      SIM_HISTORY_TOLERANCE);

  static final String NET_BANDWIDTH = "network.bandwidth";
  static final String NET_NAT_SHARE = "network.natShare";
  static final String NET_MAPPABLE_SHARE = "network.mappableShare";
  static final String NET_PUNCHABLE_SHARE = "network.punchableShare";
  static final String NET_CDN_UPLINK = "network.cdnUplink";
  static final String NET_CDN_DOWNLINK = "network.cdnDownlink";
  static final String NET_MAX_REGION_FLOWS = "network.maxRegionFlows";
  static final String NET_CDN_REQUEST_MS = "network.cdnRequestMs";
  static final String NET_TCP_INITIAL_WINDOW = "network.tcp.initialWindowBytes";
  static final String NET_CRASH_PER_HOUR = "network.failures.crashPerHour";
  static final String NET_SLOW_PER_HOUR = "network.failures.slowPerHour";
  static final String NET_SLOW_SECONDS = "network.failures.slowSeconds";
  static final String NET_SLOW_STALL_MS = "network.failures.slowStallMs";
  static final String NET_DETECT_SECONDS = "network.failures.detectSeconds";
  static final String LAT_REGIONS = "network.latency.regions";
  static final String LAT_REGION_WEIGHTS = "network.latency.regionWeights";
  static final String LAT_WORLD_SPAN_MS = "network.latency.worldSpanMs";
  static final String LAT_REGION_SPREAD_MS = "network.latency.regionSpreadMs";
  static final String LAT_ACCESS_MEDIAN_MS = "network.latency.accessMedianMs";
  static final String LAT_ACCESS_SIGMA = "network.latency.accessSigma";
  static final String LAT_CDN_RTT_MS = "network.latency.cdnRttMs";
  static final List<String> NETWORK_KEYS = List.of(NET_BANDWIDTH, NET_NAT_SHARE, NET_MAPPABLE_SHARE, NET_PUNCHABLE_SHARE,
      NET_CDN_UPLINK,
      NET_CDN_DOWNLINK, NET_MAX_REGION_FLOWS, NET_CDN_REQUEST_MS, NET_TCP_INITIAL_WINDOW,
      NET_CRASH_PER_HOUR, NET_SLOW_PER_HOUR, NET_SLOW_SECONDS, NET_SLOW_STALL_MS, NET_DETECT_SECONDS,
      LAT_REGIONS, LAT_REGION_WEIGHTS, LAT_WORLD_SPAN_MS,
      LAT_REGION_SPREAD_MS, LAT_ACCESS_MEDIAN_MS, LAT_ACCESS_SIGMA, LAT_CDN_RTT_MS);

  static final String TRACKER_MAX_PEERS = "tracker.maxPeers";
  static final String TRACKER_DEFAULT_PEERS = "tracker.defaultPeers";
  static final String TRACKER_RTT_BUCKET = "tracker.rttBucketMillis";
  static final String TRACKER_KEEP_PER_TRACK = "tracker.keepPerTrack";
  static final String TRACKER_TTL = "tracker.ttl";
  static final List<String> TRACKER_KEYS =
      List.of(TRACKER_MAX_PEERS, TRACKER_DEFAULT_PEERS, TRACKER_RTT_BUCKET, TRACKER_KEEP_PER_TRACK,
          TRACKER_TTL);

  /** Workload keys that take byte sizes (the workload itself wants plain numbers). */
  private static final List<String> WORKLOAD_BYTE_KEYS = List.of(WorkloadConfig.CACHE_MIN_BYTES,
      WorkloadConfig.CACHE_MAX_BYTES, WorkloadConfig.CACHE_FREE_DISK_MEDIAN_BYTES);

  /** Every {@link SwarmConfig.Builder} setter, in the order of its getters. */
  static final List<SwarmKey> SWARM = List.of(
      SwarmKey.count("maxRunChunks", (b, v) -> b.maxRunChunks(v), SwarmConfig::maxRunChunks),
      SwarmKey.duration("initialCdnWindow", SwarmConfig.Builder::initialCdnWindow,
          SwarmConfig::initialCdnWindowNanos),
      SwarmKey.duration("cdnReadAhead", SwarmConfig.Builder::cdnReadAhead,
          SwarmConfig::cdnReadAheadNanos),
      SwarmKey.duration("prefetchWindow", SwarmConfig.Builder::prefetchWindow,
          SwarmConfig::prefetchWindowNanos),
      SwarmKey.duration("urgentWindow", SwarmConfig.Builder::urgentWindow,
          SwarmConfig::urgentWindowNanos),
      SwarmKey.duration("requestStall", SwarmConfig.Builder::requestStall,
          SwarmConfig::requestStallNanos),
      SwarmKey.duration("minRequestAge", SwarmConfig.Builder::minRequestAge,
          SwarmConfig::minRequestAgeNanos),
      SwarmKey.rate("initialPeerBytesPerSecond", SwarmConfig.Builder::initialPeerBytesPerSecond,
          SwarmConfig::initialPeerBytesPerSecond),
      SwarmKey.rate("fastPeerBytesPerSecond", SwarmConfig.Builder::fastPeerBytesPerSecond,
          SwarmConfig::fastPeerBytesPerSecond),
      SwarmKey.count("maxRequestsPerPeer", (b, v) -> b.maxRequestsPerPeer(v),
          SwarmConfig::maxRequestsPerPeer),
      SwarmKey.count("maxCdnFetches", (b, v) -> b.maxCdnFetches(v), SwarmConfig::maxCdnFetches),
      SwarmKey.count("cdnRunChunks", (b, v) -> b.cdnRunChunks(v), SwarmConfig::cdnRunChunks),
      SwarmKey.count("neighbourSoftLimit", (b, v) -> b.neighbourSoftLimit(v),
          SwarmConfig::neighbourSoftLimit),
      SwarmKey.count("neighbourHardLimit", (b, v) -> b.neighbourHardLimit(v),
          SwarmConfig::neighbourHardLimit),
      SwarmKey.count("uploadSlots", (b, v) -> b.uploadSlots(v), SwarmConfig::uploadSlots),
      SwarmKey.count("uploadQueueLimit", (b, v) -> b.uploadQueueLimit(v),
          SwarmConfig::uploadQueueLimit),
      SwarmKey.count("overlayHopLimit", (b, v) -> b.overlayHopLimit(v),
          SwarmConfig::overlayHopLimit),
      SwarmKey.count("overlayMaxAnswers", (b, v) -> b.overlayMaxAnswers(v),
          SwarmConfig::overlayMaxAnswers),
      SwarmKey.count("lookupMaxPeers", (b, v) -> b.lookupMaxPeers(v), SwarmConfig::lookupMaxPeers),
      SwarmKey.duration("lookupRetry", SwarmConfig.Builder::lookupRetry,
          SwarmConfig::lookupRetryNanos),
      SwarmKey.duration("discoveryGrace", SwarmConfig.Builder::discoveryGrace,
          SwarmConfig::discoveryGraceNanos),
      SwarmKey.count("connectsPerTrack", (b, v) -> b.connectsPerTrack(v),
          SwarmConfig::connectsPerTrack),
      SwarmKey.duration("usefulnessHalfLife", SwarmConfig.Builder::usefulnessHalfLife,
          SwarmConfig::usefulnessHalfLifeNanos),
      SwarmKey.duration("banDuration", SwarmConfig.Builder::banDuration, SwarmConfig::banNanos),
      SwarmKey.duration("startBuffer", SwarmConfig.Builder::startBuffer, SwarmConfig::startBufferNanos),
      SwarmKey.count("startRateMarginPercent", (b, v) -> b.startRateMarginPercent(v),
          SwarmConfig::startRateMarginPercent),
      SwarmKey.duration("startRateWindow", SwarmConfig.Builder::startRateWindow,
          SwarmConfig::startRateWindowNanos));

  static final String NODE_MANIFEST_READ = "node.manifestRead";
  static final String NODE_CHUNK_READ = "node.chunkRead";
  static final String NODE_CACHED_START = "node.cachedStartProcessing";
  static final String NODE_NETWORK_START = "node.networkStartProcessing";
  static final String NODE_PORT_MAPPING = "node.portMapping";
  static final String NODE_REVERSAL = "node.reversal";
  static final String NODE_PUNCHING = "node.punching";
  static final List<String> NODE_KEYS = List.of(NODE_MANIFEST_READ, NODE_CHUNK_READ, NODE_CACHED_START,
      NODE_NETWORK_START, NODE_PORT_MAPPING, NODE_REVERSAL, NODE_PUNCHING);

  private static final List<String> KEYS = allKeys();
  private static final Pattern KEY = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]*");
  private static final Pattern INLINE_COMMENT = Pattern.compile("\\s#");

  private ScenarioFile() {}

  /** Every key, in documentation order: sim, workload, network, swarm, tracker, node. */
  public static List<String> keys() {
    return KEYS;
  }

  /** Reads {@code file}; errors (a missing file too) are {@link ScenarioException}s. */
  public static Scenario read(Path file) {
    return read(file, Map.of());
  }

  /**
   * Reads {@code file}, then applies {@code overrides} (key to value, e.g. from {@code --set}) over
   * its values.
   */
  public static Scenario read(Path file, Map<String, String> overrides) {
    String text;
    try {
      // A strict decoder: a file in another encoding fails here rather than as odd values.
      text = StandardCharsets.UTF_8.newDecoder()
          .decode(ByteBuffer.wrap(Files.readAllBytes(file))).toString();
    } catch (NoSuchFileException e) {
      throw new ScenarioException(file.toString(), 0, null, "no such file", e);
    } catch (CharacterCodingException e) {
      throw new ScenarioException(file.toString(), 0, null, "not UTF-8 text", e);
    } catch (IOException e) {
      throw new ScenarioException(file.toString(), 0, null, "cannot read: " + e, e);
    }
    return parse(file.toString(), text, overrides);
  }

  /**
   * Parses scenario text. {@code source} names it in errors; its name without {@code .scenario}
   * is the default {@code sim.name}.
   */
  public static Scenario parse(String source, String text, Map<String, String> overrides) {
    Map<String, Setting> settings = lines(source, text);
    for (Map.Entry<String, String> e : overrides.entrySet()) {
      settings.put(e.getKey(),
          new Setting(e.getKey(), e.getValue().strip(), OVERRIDE_SOURCE, 0));
    }
    for (Setting s : settings.values()) {
      if (!KEYS.contains(s.key)) {
        throw s.error("unknown key '" + s.key + "'; " + suggestion(s.key)
            + " Every key is listed in " + DOCS, null);
      }
    }
    return new Assembler(settings, defaultName(source)).scenario();
  }

  /** Every key with its effective value (defaults included), in {@link #keys()} order. */
  public static Map<String, String> effectiveValues(Scenario s) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(SIM_NAME, s.name());
    m.put(SIM_SEED, Long.toString(s.seed()));
    m.put(SIM_PEERS, Integer.toString(s.peers()));
    m.put(SIM_DURATION, Durations.format(s.duration()));
    m.put(SIM_WARMUP, Durations.format(s.warmup()));
    m.put(SIM_SAMPLE_INTERVAL, Durations.format(s.sampleInterval()));
    m.put(SIM_CHUNK_BYTES, ScenarioValues.formatBytes((long) s.chunkBytes()));
    m.put(SIM_HISTORY_DAYS, Integer.toString(s.historyDays()));
    m.put(SIM_HISTORY_TOLERANCE, Double.toString(s.historyTolerance()));
    WorkloadConfig w = s.workload();
    m.putAll(w.toMap());
    m.put(WorkloadConfig.CACHE_MIN_BYTES, ScenarioValues.formatBytes(w.cacheMinBytes()));
    m.put(WorkloadConfig.CACHE_MAX_BYTES, ScenarioValues.formatBytes(w.cacheMaxBytes()));
    m.put(WorkloadConfig.CACHE_FREE_DISK_MEDIAN_BYTES,
        ScenarioValues.formatBytes(w.freeDiskMedianBytes()));
    putNetwork(m, s.network());
    for (SwarmKey k : SWARM) {
      m.put(k.key, k.format(s.swarm()));
    }
    m.put(TRACKER_MAX_PEERS, Integer.toString(s.trackerMaxPeers()));
    m.put(TRACKER_DEFAULT_PEERS, Integer.toString(s.trackerDefaultPeers()));
    m.put(TRACKER_RTT_BUCKET, Double.toString(s.trackerRttBucketMillis()));
    m.put(TRACKER_KEEP_PER_TRACK, Integer.toString(s.tracker().keepPerTrack()));
    m.put(TRACKER_TTL, Durations.format(s.tracker().ttl()));
    m.put(NODE_MANIFEST_READ, Durations.format(Duration.ofNanos(s.manifestReadNanos())));
    m.put(NODE_CHUNK_READ, Durations.format(Duration.ofNanos(s.chunkReadNanos())));
    m.put(NODE_CACHED_START, Durations.format(Duration.ofNanos(s.cachedStartProcessingNanos())));
    m.put(NODE_NETWORK_START, Durations.format(Duration.ofNanos(s.networkStartProcessingNanos())));
    m.put(NODE_PORT_MAPPING, s.portMapping() ? "auto" : "off");
    m.put(NODE_REVERSAL, Boolean.toString(s.reversal()));
    m.put(NODE_PUNCHING, Boolean.toString(s.punching()));
    return Collections.unmodifiableMap(m);
  }

  /** The scenario as a file that {@link #parse} reads back to an equal scenario. */
  public static String toText(Scenario s) {
    StringBuilder sb = new StringBuilder();
    sb.append("# Scenario '").append(s.name())
        .append("', every key with its effective value (defaults included).\n")
        .append("# Keys and allowed values: ").append(DOCS).append('\n');
    String family = "";
    for (Map.Entry<String, String> e : effectiveValues(s).entrySet()) {
      String f = e.getKey().substring(0, e.getKey().indexOf('.'));
      if (!f.equals(family)) {
        sb.append('\n');
        family = f;
      }
      sb.append(e.getKey()).append(" = ").append(e.getValue()).append('\n');
    }
    return sb.toString();
  }

  private static void putNetwork(Map<String, String> m, NetworkModel.Config n) {
    Latency.Config l = n.latency();
    m.put(NET_BANDWIDTH, n.bandwidth().toString());
    m.put(NET_NAT_SHARE, Double.toString(n.natShare()));
    m.put(NET_MAPPABLE_SHARE, Double.toString(n.mappableShare()));
    m.put(NET_PUNCHABLE_SHARE, Double.toString(n.punchableShare()));
    m.put(NET_CDN_UPLINK, ScenarioValues.formatRate(n.cdnUplink()));
    m.put(NET_CDN_DOWNLINK, ScenarioValues.formatRate(n.cdnDownlink()));
    m.put(NET_MAX_REGION_FLOWS, Integer.toString(n.maxRegionFlows()));
    m.put(NET_CDN_REQUEST_MS, Double.toString(n.cdnRequestMs()));
    m.put(NET_TCP_INITIAL_WINDOW, Long.toString(n.tcpInitialWindowBytes()));
    PeerFailures f = n.failures();
    m.put(NET_CRASH_PER_HOUR, Double.toString(f.crashPerHour()));
    m.put(NET_SLOW_PER_HOUR, Double.toString(f.slowPerHour()));
    m.put(NET_SLOW_SECONDS, Double.toString(f.slowNanos() / 1e9));
    m.put(NET_SLOW_STALL_MS, Double.toString(f.slowStallNanos() / 1e6));
    m.put(NET_DETECT_SECONDS, Double.toString(f.detectNanos() / 1e9));
    m.put(LAT_REGIONS, Integer.toString(l.regions()));
    double[] weights = l.regionWeights();
    List<String> w = new ArrayList<>();
    if (weights != null) {
      for (double x : weights) {
        w.add(Double.toString(x));
      }
    }
    m.put(LAT_REGION_WEIGHTS, weights == null ? "equal" : String.join(", ", w));
    m.put(LAT_WORLD_SPAN_MS, Double.toString(l.worldSpanMs()));
    m.put(LAT_REGION_SPREAD_MS, Double.toString(l.regionSpreadMs()));
    m.put(LAT_ACCESS_MEDIAN_MS, Double.toString(l.accessMedianMs()));
    m.put(LAT_ACCESS_SIGMA, Double.toString(l.accessSigma()));
    m.put(LAT_CDN_RTT_MS, Double.toString(l.cdnRttMs()));
  }

  // ---- reading lines ----------------------------------------------------------------------------

  private static Map<String, Setting> lines(String source, String text) {
    Map<String, Setting> settings = new LinkedHashMap<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = stripComment(i == 0 ? stripBom(lines[i]) : lines[i]).strip();
      if (line.isEmpty()) {
        continue;
      }
      int lineNo = i + 1;
      int eq = line.indexOf('=');
      String key = eq < 0 ? line : line.substring(0, eq).strip();
      if (eq <= 0 || !KEY.matcher(key).matches()) {
        throw new ScenarioException(source, lineNo, null, "expected 'key = value', got '" + line
            + "'; comments start with #. Keys are listed in " + DOCS, null);
      }
      Setting s = new Setting(key, line.substring(eq + 1).strip(), source, lineNo);
      if (s.value.isEmpty()) {
        throw s.error(key + " has no value (write 'key = value', or leave the line out for the "
            + "default)", null);
      }
      Setting first = settings.putIfAbsent(key, s);
      if (first != null) {
        throw s.error("duplicate key '" + key + "': set on line " + first.line + " and again on line "
            + lineNo, null);
      }
    }
    return settings;
  }

  private static String stripBom(String line) {
    return line.startsWith("\uFEFF") ? line.substring(1) : line;
  }

  /** A line starting with # is a comment, and so is # after whitespace (not inside a value). */
  private static String stripComment(String line) {
    String t = line.strip();
    if (t.startsWith("#")) {
      return "";
    }
    Matcher m = INLINE_COMMENT.matcher(t);
    return m.find() ? t.substring(0, m.start()) : t;
  }

  private static String defaultName(String source) {
    String n = source;
    int slash = Math.max(n.lastIndexOf('/'), n.lastIndexOf('\\'));
    n = n.substring(slash + 1);
    if (n.endsWith(EXTENSION)) {
      n = n.substring(0, n.length() - EXTENSION.length());
    }
    return n.isBlank() ? "unnamed" : n;
  }

  // ---- suggestions ------------------------------------------------------------------------------

  /** "did you mean 'x'" for the closest known key, when one is close enough to be a typo. */
  static String suggestion(String unknown) {
    String u = unknown.toLowerCase(Locale.ROOT);
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String k : KEYS) {
      String lk = k.toLowerCase(Locale.ROOT);
      // A key given without its family (peers for sim.peers) counts as a near miss.
      int d = lk.endsWith("." + u) ? 1 : distance(u, lk);
      if (d < bestDistance) {
        bestDistance = d;
        best = k;
      }
    }
    if (best != null && bestDistance <= Math.max(3, unknown.length() / 3)) {
      return "did you mean '" + best + "'?";
    }
    return "no key is close to it (families: sim.*, catalogue.*, popularity.*, session.*, "
        + "diurnal.*, churn.*, cache.*, network.*, swarm.*, tracker.*).";
  }

  /** Levenshtein distance. */
  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  private static List<String> allKeys() {
    List<String> keys = new ArrayList<>(SIM_KEYS);
    keys.addAll(WorkloadConfig.KEYS);
    keys.addAll(NETWORK_KEYS);
    for (SwarmKey k : SWARM) {
      keys.add(k.key);
    }
    keys.addAll(TRACKER_KEYS);
    keys.addAll(NODE_KEYS);
    return List.copyOf(keys);
  }

  // ---- building ---------------------------------------------------------------------------------

  /** One {@code key = value} and where it came from. */
  static final class Setting {
    final String key;
    final String value;
    final String source;
    final int line;

    Setting(String key, String value, String source, int line) {
      this.key = key;
      this.value = value;
      this.source = source;
      this.line = line;
    }

    ScenarioException error(String detail, Throwable cause) {
      return new ScenarioException(source, line, key, detail, cause);
    }

    /** A validator's message about this value; it names the key and what is allowed. */
    ScenarioException invalid(IllegalArgumentException e) {
      return error(key + " = " + value + " is not allowed: " + e.getMessage(), e);
    }
  }

  /** Turns settings into a scenario, one component at a time, so errors find their line. */
  private static final class Assembler {
    private final Map<String, Setting> settings;
    private final String defaultName;

    Assembler(Map<String, Setting> settings, String defaultName) {
      this.settings = settings;
      this.defaultName = defaultName;
    }

    Scenario scenario() {
      Scenario.Builder b = Scenario.builder().name(defaultName);
      sim(b);
      // Validates the sim.* values before the network is sized by sim.peers.
      Scenario checked = build(b::build);
      b.workload(workload())
          .network(network(checked.peers()))
          .swarm(swarm())
          .tracker(tracker());
      set(TRACKER_MAX_PEERS, v -> b.trackerMaxPeers(ScenarioValues.integer(TRACKER_MAX_PEERS, v)));
      set(TRACKER_DEFAULT_PEERS,
          v -> b.trackerDefaultPeers(ScenarioValues.integer(TRACKER_DEFAULT_PEERS, v)));
      set(TRACKER_RTT_BUCKET, v -> b.trackerRttBucketMillis(ScenarioValues.number(TRACKER_RTT_BUCKET, v)));
      return build(b::build);
    }

    private void sim(Scenario.Builder b) {
      set(SIM_NAME, b::name);
      set(SIM_SEED, v -> b.seed(ScenarioValues.integer(SIM_SEED, v, Long.MIN_VALUE, Long.MAX_VALUE)));
      set(SIM_PEERS, v -> b.peers(ScenarioValues.integer(SIM_PEERS, v)));
      set(SIM_DURATION, v -> b.duration(ScenarioValues.duration(SIM_DURATION, v)));
      set(SIM_WARMUP, v -> b.warmup(ScenarioValues.duration(SIM_WARMUP, v)));
      set(SIM_SAMPLE_INTERVAL,
          v -> b.sampleInterval(ScenarioValues.duration(SIM_SAMPLE_INTERVAL, v)));
      set(SIM_CHUNK_BYTES, v -> b.chunkBytes(
          (int) Math.min(Integer.MAX_VALUE, ScenarioValues.bytes(SIM_CHUNK_BYTES, v))));
      set(NODE_MANIFEST_READ, v -> b.manifestRead(ScenarioValues.duration(NODE_MANIFEST_READ, v)));
      set(NODE_CHUNK_READ, v -> b.chunkRead(ScenarioValues.duration(NODE_CHUNK_READ, v)));
      set(NODE_CACHED_START, v -> b.cachedStartProcessing(ScenarioValues.duration(NODE_CACHED_START, v)));
      set(NODE_NETWORK_START, v -> b.networkStartProcessing(ScenarioValues.duration(NODE_NETWORK_START, v)));
      set(NODE_PORT_MAPPING, v -> b.portMapping(ScenarioValues.choice(NODE_PORT_MAPPING, v, "auto", "off").equals("auto")));
      set(NODE_REVERSAL, v -> b.reversal(ScenarioValues.choice(NODE_REVERSAL, v, "true", "false").equals("true")));
      set(NODE_PUNCHING, v -> b.punching(ScenarioValues.choice(NODE_PUNCHING, v, "true", "false").equals("true")));
      set(SIM_HISTORY_DAYS, v -> b.historyDays(ScenarioValues.integer(SIM_HISTORY_DAYS, v)));
      set(SIM_HISTORY_TOLERANCE,
          v -> b.historyTolerance(ScenarioValues.number(SIM_HISTORY_TOLERANCE, v)));
    }

    private WorkloadConfig workload() {
      WorkloadConfig.Builder w = WorkloadConfig.builder();
      for (String key : WorkloadConfig.KEYS) {
        set(key, v -> w.set(key, WORKLOAD_BYTE_KEYS.contains(key)
            ? Long.toString(ScenarioValues.bytes(key, v)) : v));
      }
      return build(w::build);
    }

    private NetworkModel.Config network(int peers) {
      NetworkModel.Builder n = NetworkModel.Config.builder(peers);
      set(NET_BANDWIDTH, n::bandwidth);
      set(NET_NAT_SHARE, v -> n.natShare(ScenarioValues.number(NET_NAT_SHARE, v)));
      set(NET_MAPPABLE_SHARE, v -> n.mappableShare(ScenarioValues.number(NET_MAPPABLE_SHARE, v)));
      set(NET_PUNCHABLE_SHARE, v -> n.punchableShare(ScenarioValues.number(NET_PUNCHABLE_SHARE, v)));
      set(NET_CDN_UPLINK, v -> n.cdnUplink(BandwidthDistribution.parseRate(NET_CDN_UPLINK, v)));
      set(NET_CDN_DOWNLINK,
          v -> n.cdnDownlink(BandwidthDistribution.parseRate(NET_CDN_DOWNLINK, v)));
      set(NET_MAX_REGION_FLOWS,
          v -> n.maxRegionFlows(ScenarioValues.integer(NET_MAX_REGION_FLOWS, v)));
      set(NET_CDN_REQUEST_MS, v -> n.cdnRequestMs(ScenarioValues.number(NET_CDN_REQUEST_MS, v)));
      set(NET_TCP_INITIAL_WINDOW,
          v -> n.tcpInitialWindowBytes(ScenarioValues.bytes(NET_TCP_INITIAL_WINDOW, v)));
      set(NET_CRASH_PER_HOUR, v -> n.crashPerHour(ScenarioValues.number(NET_CRASH_PER_HOUR, v)));
      set(NET_SLOW_PER_HOUR, v -> n.slowPerHour(ScenarioValues.number(NET_SLOW_PER_HOUR, v)));
      set(NET_SLOW_SECONDS, v -> n.slowSeconds(ScenarioValues.number(NET_SLOW_SECONDS, v)));
      set(NET_SLOW_STALL_MS, v -> n.slowStallMs(ScenarioValues.number(NET_SLOW_STALL_MS, v)));
      set(NET_DETECT_SECONDS,
          v -> n.failureDetectSeconds(ScenarioValues.number(NET_DETECT_SECONDS, v)));
      Latency.Builder l = Latency.Config.builder();
      set(LAT_REGIONS, v -> l.regions(ScenarioValues.integer(LAT_REGIONS, v)));
      set(LAT_REGION_WEIGHTS, v -> {
        if (!v.equalsIgnoreCase("equal")) {
          l.regionWeights(weights(v));
        }
      });
      set(LAT_WORLD_SPAN_MS, v -> l.worldSpanMs(ScenarioValues.number(LAT_WORLD_SPAN_MS, v)));
      set(LAT_REGION_SPREAD_MS,
          v -> l.regionSpreadMs(ScenarioValues.number(LAT_REGION_SPREAD_MS, v)));
      set(LAT_ACCESS_MEDIAN_MS,
          v -> l.accessMedianMs(ScenarioValues.number(LAT_ACCESS_MEDIAN_MS, v)));
      set(LAT_ACCESS_SIGMA, v -> l.accessSigma(ScenarioValues.number(LAT_ACCESS_SIGMA, v)));
      set(LAT_CDN_RTT_MS, v -> l.cdnRttMs(ScenarioValues.number(LAT_CDN_RTT_MS, v)));
      n.latency(build(l::build));
      return build(n::build);
    }

    private static double[] weights(String v) {
      String[] parts = v.split(",");
      double[] w = new double[parts.length];
      for (int i = 0; i < parts.length; i++) {
        w[i] = ScenarioValues.number(LAT_REGION_WEIGHTS, parts[i]);
      }
      return w;
    }

    private SwarmConfig swarm() {
      SwarmConfig.Builder s = SwarmConfig.builder();
      for (SwarmKey k : SWARM) {
        set(k.key, v -> k.set(s, v));
      }
      return build(s::build);
    }

    private PeerIndexConfig tracker() {
      // The simulator's default ttl is Scenario's (7d: leaving peers are removed, re-announces are
      // not simulated), not the tracker's.
      PeerIndexConfig.Builder t = PeerIndexConfig.builder().ttl(Scenario.builder().build().tracker().ttl());
      set(TRACKER_KEEP_PER_TRACK,
          v -> t.keepPerTrack(ScenarioValues.integer(TRACKER_KEEP_PER_TRACK, v)));
      set(TRACKER_TTL, v -> t.ttl(ScenarioValues.duration(TRACKER_TTL, v)));
      try {
        return t.build();
      } catch (IllegalArgumentException e) {
        // PeerIndexConfig names its fields without the tracker. prefix that scenario keys have.
        throw located(new IllegalArgumentException("tracker." + e.getMessage(), e));
      }
    }

    /** Applies the value of {@code key}, if the file sets it; a bad value fails on its line. */
    private void set(String key, Consumer<String> apply) {
      Setting s = settings.get(key);
      if (s == null) {
        return;
      }
      try {
        apply.accept(s.value);
      } catch (IllegalArgumentException e) {
        throw s.invalid(e);
      }
    }

    private <T> T build(Supplier<T> builder) {
      try {
        return builder.get();
      } catch (IllegalArgumentException e) {
        throw located(e);
      }
    }

    /**
     * A builder's cross-checks (warm-up shorter than duration, hard limit above soft limit) fail
     * after every value was set: blame the key its message names first among those in the file.
     */
    private ScenarioException located(IllegalArgumentException e) {
      String message = e.getMessage() == null ? e.toString() : e.getMessage();
      Setting culprit = null;
      int at = Integer.MAX_VALUE;
      for (Setting s : settings.values()) {
        int i = indexOfKey(message, s.key);
        if (i >= 0 && i < at) {
          at = i;
          culprit = s;
        }
      }
      if (culprit != null) {
        return culprit.invalid(e);
      }
      String source = settings.isEmpty() ? null : settings.values().iterator().next().source;
      return new ScenarioException(source, 0, keyIn(message), message
          + " (with the default values of the keys not set; see " + DOCS + ")", e);
    }

    private static int indexOfKey(String message, String key) {
      int from = 0;
      while (true) {
        int i = message.indexOf(key, from);
        if (i < 0) {
          return -1;
        }
        int end = i + key.length();
        boolean wholeKey = (i == 0 || !isKeyChar(message.charAt(i - 1)))
            && (end == message.length() || !isKeyChar(message.charAt(end)));
        if (wholeKey) {
          return i;
        }
        from = i + 1;
      }
    }

    private static boolean isKeyChar(char c) {
      return Character.isLetterOrDigit(c) || c == '.';
    }

    private static String keyIn(String message) {
      for (String k : KEYS) {
        if (indexOfKey(message, k) >= 0) {
          return k;
        }
      }
      return null;
    }
  }

  /** A {@code swarm.*} key: how to parse it into the builder and print it from a config. */
  static final class SwarmKey {
    final String key;
    private final BiConsumer<SwarmConfig.Builder, String> setter;
    private final Function<SwarmConfig, String> formatter;

    private SwarmKey(String name, BiConsumer<SwarmConfig.Builder, String> setter,
        Function<SwarmConfig, String> formatter) {
      this.key = "swarm." + name;
      this.setter = setter;
      this.formatter = formatter;
    }

    static SwarmKey count(String name, BiConsumer<SwarmConfig.Builder, Integer> set,
        Function<SwarmConfig, Integer> get) {
      String key = "swarm." + name;
      return new SwarmKey(name, (b, v) -> set.accept(b, ScenarioValues.integer(key, v)),
          c -> Integer.toString(get.apply(c)));
    }

    static SwarmKey rate(String name, BiConsumer<SwarmConfig.Builder, Long> set,
        Function<SwarmConfig, Long> get) {
      String key = "swarm." + name;
      return new SwarmKey(name,
          (b, v) -> set.accept(b, Math.round(BandwidthDistribution.parseRate(key, v))),
          c -> Long.toString(get.apply(c)));
    }

    static SwarmKey duration(String name, BiConsumer<SwarmConfig.Builder, Duration> set,
        Function<SwarmConfig, Long> getNanos) {
      String key = "swarm." + name;
      return new SwarmKey(name, (b, v) -> set.accept(b, ScenarioValues.duration(key, v)),
          c -> Durations.format(Duration.ofNanos(getNanos.apply(c))));
    }

    void set(SwarmConfig.Builder b, String value) {
      setter.accept(b, value);
    }

    String format(SwarmConfig c) {
      return formatter.apply(c);
    }
  }
}
