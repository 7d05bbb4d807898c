package dev.chorus.simulator.network;

import java.util.Arrays;

/**
 * Flow-level transfers between hosts with max-min fair sharing of every host's uplink and
 * downlink.
 *
 * <p>Hosts are the ints {@code 0..hostCount-1}. Each host has two independent capacity
 * constraints in bytes per second: its uplink (shared by the flows it sends) and its downlink
 * (shared by the flows it receives). A capacity of {@link Double#POSITIVE_INFINITY} means
 * <em>unconstrained</em>: the CDN's uplink is the usual example, so that the bottleneck of a CDN
 * flow is the receiver's downlink, and CDN flows do not couple with each other.
 *
 * <p>Rates are the max-min fair allocation (progressive filling) over those constraints. They
 * are recomputed only when a flow starts or ends, and only over the <em>region</em> the change can
 * move: a breadth-first search from the changed flow's two constraints that crosses only
 * saturated constraints. A slack constraint is no flow's bottleneck, so it passes no change on
 * while it stays slack: it is left as a boundary whose flows outside the region keep their rates,
 * and if the new rates saturate it after all, it is expanded and the region solved again. The
 * result is the exact max-min allocation of the whole network (to rounding). The search stops
 * expanding after {@code maxRegionFlows} flows; past that bound the flows outside keep their
 * rates and their usage is subtracted from the capacity of the boundary constraints, so the
 * allocation stays feasible (no capacity is ever exceeded) but may leave some capacity unused
 * until a later change reaches it. {@link #truncatedRecomputations()} counts how often that
 * happened.
 *
 * <p>Bytes advance lazily: a flow stores its rate, the time of its last rate change and the bytes
 * remaining at that time. Completion times go into a heap with lazy invalidation: a flow's
 * {@link #version} changes whenever its completion time changes, and entries whose version is
 * stale are dropped. An event engine keeps one pending wake-up at {@link #nextCompletionNanos()}
 * and calls {@link #pollCompleted} when it fires; alternatively it can schedule per-flow events
 * from {@link #completionTime} and {@link #version}, told of every change by the {@link Listener}.
 *
 * <p>Flows live in primitive arrays with free-list reuse of slots; a flow id is the slot in the
 * low 32 bits and the slot's generation in the high 32 bits, so that a stale id is detected.
 * Per-host state is primitive arrays (about 50 bytes a host); there is no object per host or per
 * flow.
 *
 * <p>Pure, single-threaded and deterministic: no clock, no threads, no randomness. Time is given
 * by the caller and must not go backwards.
 */
public final class FlowNetwork {

  /** The completion time of a flow that makes no progress. */
  public static final long NEVER = Long.MAX_VALUE;

  /** The default bound on the flows one recomputation visits. */
  public static final int DEFAULT_MAX_REGION_FLOWS = 1024;

  private static final int NIL = -1;
  private static final double NANOS_PER_SECOND = 1e9;

  /**
   * A constraint whose flows use less than {@code 1 - SLACK} of it is slack: it is no flow's
   * bottleneck, so a change does not pass through it. Far above the rounding of the rates'
   * sums (about 1e-15 relative) and far below any difference that matters.
   */
  private static final double SLACK = 1e-9;

  /** Told when a flow's rate and completion time change; every method defaults to nothing. */
  public interface Listener {
    /**
     * A flow's completion time changed (it started, or its rate changed); {@code version} is the
     * flow's new {@link #version}. {@code completionNanos} may be {@link #NEVER}.
     */
    default void rescheduled(long flowId, int version, long completionNanos) {}
  }

  /** Receives the flows that {@link #pollCompleted} finishes, in completion-time order. */
  @FunctionalInterface
  public interface CompletionSink {
    void completed(long flowId, int src, int dst, long bytes, long completionNanos);
  }

  private static final Listener NO_LISTENER = new Listener() {};

  private final int hostCount;
  private final int maxRegionFlows;
  private final Listener listener;

  // ---- per constraint: index 2h is host h's uplink, 2h+1 its downlink ----
  private final double[] cap;
  private final int[] head;
  private final int[] count;
  private final int[] cMark;
  private final int[] cLocal;

  // ---- per flow slot ----
  private int[] fSrc;
  private int[] fDst;
  private int[] gen;
  private int[] ver;
  private int[] nextU;
  private int[] prevU;
  private int[] nextD;
  private int[] prevD;
  private int[] fMark;
  private int[] fLocal;
  private double[] rate;
  private double[] remaining;
  private long[] total;
  private long[] last;
  private long[] completion;
  private int freeHead = NIL;
  private int used;
  private int active;

  // ---- completion heap (lazy invalidation), ordered by (time, seq) ----
  private long[] hTime = new long[256];
  private long[] hSeq = new long[256];
  private int[] hSlot = new int[256];
  private int[] hVer = new int[256];
  private int hSize;
  private long seq;

  // ---- recompute scratch ----
  private int epoch;
  private int[] rFlows = new int[64];
  private double[] rRate = new double[64];
  private boolean[] rFrozen = new boolean[64];
  private int[] rCons = new int[64];
  private boolean[] rBoundary = new boolean[64];
  private double[] rResidual = new double[64];
  private int[] rCount = new int[64];
  private int[] rCver = new int[64];
  private double[] qShare = new double[64];
  private int[] qCons = new int[64];
  private int[] qVer = new int[64];
  private int qSize;
  private int nFlows;
  private int nCons;
  private boolean cut;
  private int[] pend = new int[64];
  private int pendHead;
  private int pendTail;

  private long nowNanos = Long.MIN_VALUE;
  private long recomputations;
  private long flowsRecomputed;
  private long truncated;
  private long regionRetries;
  private int lastRegionFlows;

  private FlowNetwork(Builder b) {
    hostCount = b.hostCount;
    maxRegionFlows = b.maxRegionFlows;
    listener = b.listener;
    cap = new double[2 * hostCount];
    for (int h = 0; h < hostCount; h++) {
      cap[2 * h] = b.uplink[h];
      cap[2 * h + 1] = b.downlink[h];
    }
    head = new int[2 * hostCount];
    Arrays.fill(head, NIL);
    count = new int[2 * hostCount];
    cMark = new int[2 * hostCount];
    cLocal = new int[2 * hostCount];
    allocFlows(Math.max(16, b.initialFlowCapacity));
  }

  /** A builder for a network of {@code hostCount} hosts. */
  public static Builder builder(int hostCount) {
    return new Builder(hostCount);
  }

  /** Builds a {@link FlowNetwork}; every capacity is in bytes per second. */
  public static final class Builder {
    private final int hostCount;
    private double[] uplink;
    private double[] downlink;
    private int maxRegionFlows = DEFAULT_MAX_REGION_FLOWS;
    private int initialFlowCapacity = 1024;
    private Listener listener = NO_LISTENER;

    private Builder(int hostCount) {
      if (hostCount < 1) {
        throw new IllegalArgumentException("network.hosts must be at least 1, got " + hostCount);
      }
      this.hostCount = hostCount;
    }

    /** Every host's capacities; the arrays are copied. */
    public Builder capacities(double[] uplinkBytesPerSecond, double[] downlinkBytesPerSecond) {
      if (uplinkBytesPerSecond.length != hostCount || downlinkBytesPerSecond.length != hostCount) {
        throw new IllegalArgumentException(
            "network.capacities: need " + hostCount + " uplinks and downlinks, got "
                + uplinkBytesPerSecond.length + " and " + downlinkBytesPerSecond.length);
      }
      this.uplink = uplinkBytesPerSecond.clone();
      this.downlink = downlinkBytesPerSecond.clone();
      return this;
    }

    /** The same capacities for every host. */
    public Builder uniformCapacities(double uplinkBytesPerSecond, double downlinkBytesPerSecond) {
      double[] u = new double[hostCount];
      double[] d = new double[hostCount];
      Arrays.fill(u, uplinkBytesPerSecond);
      Arrays.fill(d, downlinkBytesPerSecond);
      this.uplink = u;
      this.downlink = d;
      return this;
    }

    /** Bound on the flows one recomputation visits (default {@value #DEFAULT_MAX_REGION_FLOWS}). */
    public Builder maxRegionFlows(int flows) {
      if (flows < 1) {
        throw new IllegalArgumentException(
            "network.maxRegionFlows must be at least 1, got " + flows);
      }
      this.maxRegionFlows = flows;
      return this;
    }

    /** Initial size of the flow arrays; they grow as needed. */
    public Builder initialFlowCapacity(int flows) {
      if (flows < 1) {
        throw new IllegalArgumentException(
            "network.initialFlowCapacity must be at least 1, got " + flows);
      }
      this.initialFlowCapacity = flows;
      return this;
    }

    public Builder listener(Listener l) {
      if (l == null) {
        throw new IllegalArgumentException("network.listener must not be null");
      }
      this.listener = l;
      return this;
    }

    public FlowNetwork build() {
      if (uplink == null) {
        throw new IllegalArgumentException("network.capacities must be set");
      }
      for (int h = 0; h < hostCount; h++) {
        checkCapacity("network.uplink", h, uplink[h]);
        checkCapacity("network.downlink", h, downlink[h]);
      }
      return new FlowNetwork(this);
    }
  }

  private static void checkCapacity(String key, int host, double v) {
    if (!(v >= 0)) {
      throw new IllegalArgumentException(
          key + " of host " + host + " must be >= 0 bytes/s (or +Infinity), got " + v);
    }
  }

  // =============================================================== public API

  public int hostCount() {
    return hostCount;
  }

  /** Flows currently in progress. */
  public int activeFlows() {
    return active;
  }

  /** A host's uplink capacity in bytes/s ({@code +Infinity} = unconstrained). */
  public double uplink(int host) {
    checkHost(host);
    return cap[2 * host];
  }

  /** A host's downlink capacity in bytes/s ({@code +Infinity} = unconstrained). */
  public double downlink(int host) {
    checkHost(host);
    return cap[2 * host + 1];
  }

  /**
   * Changes a host's capacities; the host must have no flow in progress (a peer between
   * sessions).
   */
  public void setCapacity(int host, double uplinkBytesPerSecond, double downlinkBytesPerSecond) {
    checkHost(host);
    checkCapacity("network.uplink", host, uplinkBytesPerSecond);
    checkCapacity("network.downlink", host, downlinkBytesPerSecond);
    if (count[2 * host] != 0 || count[2 * host + 1] != 0) {
      throw new IllegalStateException("host " + host + " has flows in progress");
    }
    cap[2 * host] = uplinkBytesPerSecond;
    cap[2 * host + 1] = downlinkBytesPerSecond;
  }

  /** Sum of the current rates of the flows {@code host} sends, in bytes/s. */
  public double uplinkUsage(int host) {
    checkHost(host);
    return usage(2 * host);
  }

  /** Sum of the current rates of the flows {@code host} receives, in bytes/s. */
  public double downlinkUsage(int host) {
    checkHost(host);
    return usage(2 * host + 1);
  }

  /** Flows {@code host} sends. */
  public int uploads(int host) {
    checkHost(host);
    return count[2 * host];
  }

  /** Flows {@code host} receives. */
  public int downloads(int host) {
    checkHost(host);
    return count[2 * host + 1];
  }

  /**
   * Starts a transfer of {@code bytes} from {@code src} to {@code dst} at {@code nowNanos} and
   * recomputes the rates it affects.
   *
   * @return the flow's id
   * @throws IllegalStateException if a completion before {@code nowNanos} has not been polled,
   *     or time went backwards
   */
  public long startFlow(int src, int dst, long bytes, long nowNanos) {
    checkHost(src);
    checkHost(dst);
    if (src == dst) {
      throw new IllegalArgumentException("a flow needs two different hosts, got " + src);
    }
    if (bytes < 0) {
      throw new IllegalArgumentException("bytes must be >= 0, got " + bytes);
    }
    int cu = 2 * src;
    int cd = 2 * dst + 1;
    if (cap[cu] == Double.POSITIVE_INFINITY && cap[cd] == Double.POSITIVE_INFINITY) {
      throw new IllegalArgumentException(
          "flow " + src + "->" + dst + " has no finite constraint (uplink and downlink unbounded)");
    }
    advanceClock(nowNanos);
    int f = allocSlot();
    fSrc[f] = src;
    fDst[f] = dst;
    total[f] = bytes;
    remaining[f] = bytes;
    last[f] = nowNanos;
    rate[f] = -1; // forces an update in recompute
    completion[f] = NEVER;
    link(f, cu);
    link(f, cd);
    active++;
    recompute(cu, cd, nowNanos);
    return id(f);
  }

  /**
   * Cancels a flow in progress and recomputes the rates it affected.
   *
   * @return the bytes it had transferred (rounded down)
   */
  public long cancelFlow(long flowId, long nowNanos) {
    int f = slot(flowId);
    advanceClock(nowNanos);
    settle(f, nowNanos);
    long done = transferredAtLast(f);
    removeAndRecompute(f, nowNanos);
    return done;
  }

  /** The earliest pending completion time, or {@link #NEVER}. */
  public long nextCompletionNanos() {
    dropStaleTop();
    return hSize == 0 ? NEVER : hTime[0];
  }

  /**
   * Finishes, in completion-time order, every flow that completes at or before {@code
   * nowNanos}; each finished flow's capacity is handed to the others at its own completion time
   * before the next one is considered. The sink may start and cancel flows.
   *
   * @return the flows finished
   */
  public int pollCompleted(long nowNanos, CompletionSink sink) {
    if (nowNanos < this.nowNanos) {
      throw new IllegalStateException(
          "time went backwards: " + nowNanos + " < " + this.nowNanos);
    }
    int n = 0;
    while (true) {
      dropStaleTop();
      if (hSize == 0 || hTime[0] > nowNanos) {
        break;
      }
      long t = hTime[0];
      int f = hSlot[0];
      heapPop();
      this.nowNanos = Math.max(this.nowNanos, t);
      long fid = id(f);
      int src = fSrc[f];
      int dst = fDst[f];
      long bytes = total[f];
      remaining[f] = 0;
      last[f] = t;
      removeAndRecompute(f, t);
      n++;
      sink.completed(fid, src, dst, bytes, t);
    }
    this.nowNanos = Math.max(this.nowNanos, nowNanos);
    return n;
  }

  /** Whether {@code flowId} is a flow in progress. */
  public boolean isActive(long flowId) {
    int s = (int) flowId;
    return s >= 0 && s < used && fSrc[s] != NIL && gen[s] == (int) (flowId >>> 32);
  }

  /** Bytes the flow has transferred by {@code nowNanos} (rounded down). */
  public long bytesTransferred(long flowId, long nowNanos) {
    int f = slot(flowId);
    return (long) Math.floor(total[f] - remainingAt(f, nowNanos));
  }

  /** The share of the flow's bytes transferred by {@code nowNanos}, in [0, 1]. */
  public double progress(long flowId, long nowNanos) {
    int f = slot(flowId);
    if (total[f] == 0) {
      return 1;
    }
    return (total[f] - remainingAt(f, nowNanos)) / total[f];
  }

  /** The flow's current rate in bytes/s. */
  public double rate(long flowId) {
    return rate[slot(flowId)];
  }

  /** When the flow completes at its current rate, or {@link #NEVER}. */
  public long completionTime(long flowId) {
    return completion[slot(flowId)];
  }

  /** Changes whenever the flow's completion time changes. */
  public int version(long flowId) {
    return ver[slot(flowId)];
  }

  public int src(long flowId) {
    return fSrc[slot(flowId)];
  }

  public int dst(long flowId) {
    return fDst[slot(flowId)];
  }

  /** The flow's size in bytes. */
  public long size(long flowId) {
    return total[slot(flowId)];
  }

  /** Recomputations done (one per start, cancel and completion). */
  public long recomputations() {
    return recomputations;
  }

  /** Flows visited by all recomputations together. */
  public long flowsRecomputed() {
    return flowsRecomputed;
  }

  /** Flows the last recomputation visited. */
  public int lastRegionFlows() {
    return lastRegionFlows;
  }

  /** Recomputations whose region was cut at the {@code maxRegionFlows} bound. */
  public long truncatedRecomputations() {
    return truncated;
  }

  /**
   * Times a recomputation solved its region again because the new rates saturated a constraint
   * it had left as a slack boundary.
   */
  public long regionRetries() {
    return regionRetries;
  }

  // =============================================================== flows

  private long id(int f) {
    return ((long) gen[f] << 32) | f;
  }

  private int slot(long flowId) {
    if (!isActive(flowId)) {
      throw new IllegalArgumentException("no flow in progress with id " + flowId);
    }
    return (int) flowId;
  }

  private void checkHost(int h) {
    if (h < 0 || h >= hostCount) {
      throw new IllegalArgumentException("host " + h + " out of range [0, " + hostCount + ")");
    }
  }

  private void advanceClock(long now) {
    if (now < nowNanos) {
      throw new IllegalStateException("time went backwards: " + now + " < " + nowNanos);
    }
    long next = nextCompletionNanos();
    if (next < now) {
      throw new IllegalStateException(
          "a flow completes at " + next + ", before " + now + ": call pollCompleted first");
    }
    nowNanos = now;
  }

  private double remainingAt(int f, long now) {
    if (now < last[f]) {
      throw new IllegalArgumentException("time " + now + " before the flow's last update");
    }
    double r = remaining[f] - rate[f] * ((now - last[f]) / NANOS_PER_SECOND);
    return r < 0 ? 0 : r;
  }

  private long transferredAtLast(int f) {
    return (long) Math.floor(total[f] - remaining[f]);
  }

  private void settle(int f, long now) {
    if (rate[f] > 0 && now > last[f]) {
      remaining[f] = remainingAt(f, now);
    }
    last[f] = now;
  }

  private void removeAndRecompute(int f, long now) {
    int cu = 2 * fSrc[f];
    int cd = 2 * fDst[f] + 1;
    unlink(f, cu);
    unlink(f, cd);
    freeSlot(f);
    active--;
    recompute(cu, cd, now);
  }

  private void allocFlows(int n) {
    fSrc = new int[n];
    fDst = new int[n];
    gen = new int[n];
    ver = new int[n];
    nextU = new int[n];
    prevU = new int[n];
    nextD = new int[n];
    prevD = new int[n];
    fMark = new int[n];
    fLocal = new int[n];
    rate = new double[n];
    remaining = new double[n];
    total = new long[n];
    last = new long[n];
    completion = new long[n];
  }

  private void growFlows() {
    int n = fSrc.length * 2;
    fSrc = Arrays.copyOf(fSrc, n);
    fDst = Arrays.copyOf(fDst, n);
    gen = Arrays.copyOf(gen, n);
    ver = Arrays.copyOf(ver, n);
    nextU = Arrays.copyOf(nextU, n);
    prevU = Arrays.copyOf(prevU, n);
    nextD = Arrays.copyOf(nextD, n);
    prevD = Arrays.copyOf(prevD, n);
    fMark = Arrays.copyOf(fMark, n);
    fLocal = Arrays.copyOf(fLocal, n);
    rate = Arrays.copyOf(rate, n);
    remaining = Arrays.copyOf(remaining, n);
    total = Arrays.copyOf(total, n);
    last = Arrays.copyOf(last, n);
    completion = Arrays.copyOf(completion, n);
  }

  private int allocSlot() {
    int f;
    if (freeHead != NIL) {
      f = freeHead;
      freeHead = nextU[f];
    } else {
      if (used == fSrc.length) {
        growFlows();
      }
      f = used++;
    }
    fMark[f] = 0;
    return f;
  }

  private void freeSlot(int f) {
    fSrc[f] = NIL;
    fDst[f] = NIL;
    gen[f]++;
    ver[f]++;
    nextU[f] = freeHead;
    freeHead = f;
  }

  // ---- intrusive doubly linked lists of the flows at each constraint ----

  private void link(int f, int c) {
    int h = head[c];
    if ((c & 1) == 0) {
      nextU[f] = h;
      prevU[f] = NIL;
      if (h != NIL) {
        prevU[h] = f;
      }
    } else {
      nextD[f] = h;
      prevD[f] = NIL;
      if (h != NIL) {
        prevD[h] = f;
      }
    }
    head[c] = f;
    count[c]++;
  }

  private void unlink(int f, int c) {
    int p;
    int n;
    if ((c & 1) == 0) {
      p = prevU[f];
      n = nextU[f];
      if (n != NIL) {
        prevU[n] = p;
      }
      if (p != NIL) {
        nextU[p] = n;
      }
    } else {
      p = prevD[f];
      n = nextD[f];
      if (n != NIL) {
        prevD[n] = p;
      }
      if (p != NIL) {
        nextD[p] = n;
      }
    }
    if (p == NIL) {
      head[c] = n;
    }
    count[c]--;
  }

  private int next(int f, int c) {
    return (c & 1) == 0 ? nextU[f] : nextD[f];
  }

  /** The flow's constraint other than {@code c}. */
  private int other(int f, int c) {
    return (c & 1) == 0 ? 2 * fDst[f] + 1 : 2 * fSrc[f];
  }

  private double usage(int c) {
    double s = 0;
    for (int f = head[c]; f != NIL; f = next(f, c)) {
      s += rate[f];
    }
    return s;
  }

  // =============================================================== max-min recompute

  private void recompute(int c1, int c2, long now) {
    recomputations++;
    if (++epoch == Integer.MAX_VALUE) {
      Arrays.fill(cMark, 0);
      Arrays.fill(fMark, 0);
      epoch = 1;
    }
    nFlows = 0;
    nCons = 0;
    pendHead = 0;
    pendTail = 0;
    cut = false;
    // The changed flow's two constraints are always expanded; its old or new rate is what moved.
    mark(c1, true);
    mark(c2, true);
    expandPending();
    // Solve; a slack boundary the new rates saturate was coupling after all: expand it, re-solve.
    while (nFlows > 0 && solveRegion() && expandPending()) {
      regionRetries++;
    }
    if (cut) {
      truncated++;
    }
    lastRegionFlows = nFlows;
    flowsRecomputed += nFlows;
    if (nFlows > 0) {
      applyRates(now);
    }
    maybeCompactHeap();
  }

  /**
   * Expands the pending constraints breadth-first: each adds its flows to the region, and each
   * flow's other constraint joins the region, pending if it is saturated now (it may pass the
   * change on), as a boundary if it is slack (it bottlenecks no flow, so flows beyond it keep
   * their rates unless the new rates saturate it, which {@link #solveRegion} reports).
   *
   * @return whether any constraint was expanded
   */
  private boolean expandPending() {
    boolean expanded = false;
    while (pendHead < pendTail) {
      int q = pend[pendHead++];
      if (nFlows >= maxRegionFlows) {
        rBoundary[q] = true; // queued but not expanded: its outside flows keep their rates
        cut = true;
        continue;
      }
      rBoundary[q] = false;
      expanded = true;
      int c = rCons[q];
      for (int f = head[c]; f != NIL; f = next(f, c)) {
        if (fMark[f] == epoch) {
          continue;
        }
        fMark[f] = epoch;
        if (nFlows == rFlows.length) {
          growRegionFlows();
        }
        fLocal[f] = nFlows;
        rFlows[nFlows] = f;
        nFlows++;
        int o = other(f, c);
        if (cap[o] != Double.POSITIVE_INFINITY && cMark[o] != epoch) {
          mark(o, usage(o) >= cap[o] * (1 - SLACK));
        }
      }
    }
    return expanded;
  }

  /**
   * Progressive filling over the region, boundary constraints carrying the rates of their flows
   * outside it. Leaves the rates in {@link #rRate}.
   *
   * @return whether a boundary constraint saturated (it was pushed onto the pending queue)
   */
  private boolean solveRegion() {
    for (int k = 0; k < nFlows; k++) {
      rFrozen[k] = false;
    }
    // Residual capacity and unfrozen flows of each constraint in the region.
    qSize = 0;
    for (int i = 0; i < nCons; i++) {
      int c = rCons[i];
      double residual = cap[c];
      int n;
      if (rBoundary[i]) {
        n = 0;
        for (int f = head[c]; f != NIL; f = next(f, c)) {
          if (fMark[f] == epoch) {
            n++;
          } else {
            residual -= rate[f];
          }
        }
      } else {
        n = count[c];
      }
      rResidual[i] = residual < 0 ? 0 : residual;
      rCount[i] = n;
      rCver[i] = 0;
      if (n > 0) {
        qPush(rResidual[i] / n, i, 0);
      }
    }

    // Progressive filling: the constraint offering the smallest fair share saturates first; its
    // flows are frozen at that share, which is charged to their other constraint.
    boolean boundarySaturated = false;
    while (qSize > 0) {
      double share = qShare[0];
      int i = qCons[0];
      int v = qVer[0];
      qPop();
      if (v != rCver[i] || rCount[i] == 0) {
        continue;
      }
      if (rBoundary[i] && !cutAt(i)) {
        pushPending(i);
        boundarySaturated = true;
      }
      int c = rCons[i];
      for (int f = head[c]; f != NIL; f = next(f, c)) {
        if (fMark[f] != epoch) {
          continue;
        }
        int k = fLocal[f];
        if (rFrozen[k]) {
          continue;
        }
        rFrozen[k] = true;
        rRate[k] = share;
        int o = other(f, c);
        if (cap[o] != Double.POSITIVE_INFINITY) {
          int j = cLocal[o];
          double r = rResidual[j] - share;
          rResidual[j] = r < 0 ? 0 : r;
          int n = --rCount[j];
          int nv = ++rCver[j];
          if (n > 0) {
            qPush(rResidual[j] / n, j, nv);
          }
        }
      }
      rCount[i] = 0;
    }
    return boundarySaturated;
  }

  /** Whether boundary constraint {@code i} stays a boundary because the region is full. */
  private boolean cutAt(int i) {
    if (nFlows >= maxRegionFlows) {
      cut = true;
      return true;
    }
    return false;
  }

  /** Settles bytes at the old rate, then switches; untouched rates keep their schedule. */
  private void applyRates(long now) {
    for (int k = 0; k < nFlows; k++) {
      int f = rFlows[k];
      double r = rRate[k];
      boolean fresh = rate[f] < 0;
      if (r == rate[f]) {
        continue;
      }
      settle(f, now);
      rate[f] = r;
      long t = completionAt(remaining[f], r, now);
      if (t != completion[f] || fresh) {
        completion[f] = t;
        ver[f]++;
        if (t != NEVER) {
          heapPush(t, f, ver[f]);
        }
        listener.rescheduled(id(f), ver[f], t);
      }
    }
  }

  /** Adds a finite constraint to the region, pending expansion or as a boundary. */
  private void mark(int c, boolean expand) {
    if (cap[c] == Double.POSITIVE_INFINITY || cMark[c] == epoch) {
      return;
    }
    if (nCons == rCons.length) {
      growRegionCons();
    }
    cMark[c] = epoch;
    cLocal[c] = nCons;
    rCons[nCons] = c;
    rBoundary[nCons] = true;
    if (expand) {
      pushPending(nCons);
    }
    nCons++;
  }

  private void pushPending(int i) {
    if (pendTail == pend.length) {
      pend = Arrays.copyOf(pend, 2 * pend.length);
    }
    pend[pendTail++] = i;
  }

  private static long completionAt(double remainingBytes, double rate, long now) {
    if (remainingBytes <= 0) {
      return now;
    }
    if (!(rate > 0)) {
      return NEVER;
    }
    double dt = Math.ceil(remainingBytes / rate * NANOS_PER_SECOND);
    if (dt >= (double) (NEVER - now)) {
      return NEVER;
    }
    return now + (long) dt;
  }

  private void growRegionFlows() {
    int n = rFlows.length * 2;
    rFlows = Arrays.copyOf(rFlows, n);
    rRate = Arrays.copyOf(rRate, n);
    rFrozen = Arrays.copyOf(rFrozen, n);
  }

  private void growRegionCons() {
    int n = rCons.length * 2;
    rCons = Arrays.copyOf(rCons, n);
    rBoundary = Arrays.copyOf(rBoundary, n);
    rResidual = Arrays.copyOf(rResidual, n);
    rCount = Arrays.copyOf(rCount, n);
    rCver = Arrays.copyOf(rCver, n);
  }

  // ---- share queue: binary min-heap on (share, constraint index) ----

  // Sifts move a hole instead of swapping (each moved entry is written once per level, half the
  // writes of a swap); the array ends up exactly as with swaps, so the pop order is unchanged.

  private void qPush(double share, int cons, int version) {
    if (qSize == qShare.length) {
      int n = qSize * 2;
      qShare = Arrays.copyOf(qShare, n);
      qCons = Arrays.copyOf(qCons, n);
      qVer = Arrays.copyOf(qVer, n);
    }
    int i = qSize++;
    while (i > 0) {
      int p = (i - 1) >>> 1;
      double ps = qShare[p];
      if (!(share < ps || (share == ps && cons < qCons[p]))) {
        break;
      }
      qShare[i] = ps;
      qCons[i] = qCons[p];
      qVer[i] = qVer[p];
      i = p;
    }
    qShare[i] = share;
    qCons[i] = cons;
    qVer[i] = version;
  }

  private void qPop() {
    int n = --qSize;
    if (n == 0) {
      return;
    }
    double share = qShare[n];
    int cons = qCons[n];
    int version = qVer[n];
    int i = 0;
    while (true) {
      int l = 2 * i + 1;
      if (l >= n) {
        break;
      }
      int m = l;
      double ms = qShare[l];
      int mc = qCons[l];
      if (l + 1 < n) {
        double rs = qShare[l + 1];
        int rc = qCons[l + 1];
        if (rs < ms || (rs == ms && rc < mc)) {
          m = l + 1;
          ms = rs;
          mc = rc;
        }
      }
      if (!(ms < share || (ms == share && mc < cons))) {
        break;
      }
      qShare[i] = ms;
      qCons[i] = mc;
      qVer[i] = qVer[m];
      i = m;
    }
    qShare[i] = share;
    qCons[i] = cons;
    qVer[i] = version;
  }

  // ---- completion heap: binary min-heap on (time, seq) with lazy invalidation ----

  private boolean hLess(int a, int b) {
    if (hTime[a] != hTime[b]) {
      return hTime[a] < hTime[b];
    }
    return hSeq[a] < hSeq[b];
  }

  private void hSwap(int a, int b) {
    long t = hTime[a];
    hTime[a] = hTime[b];
    hTime[b] = t;
    long s = hSeq[a];
    hSeq[a] = hSeq[b];
    hSeq[b] = s;
    int x = hSlot[a];
    hSlot[a] = hSlot[b];
    hSlot[b] = x;
    int v = hVer[a];
    hVer[a] = hVer[b];
    hVer[b] = v;
  }

  private void heapPush(long time, int f, int version) {
    if (hSize == hTime.length) {
      int n = hSize * 2;
      hTime = Arrays.copyOf(hTime, n);
      hSeq = Arrays.copyOf(hSeq, n);
      hSlot = Arrays.copyOf(hSlot, n);
      hVer = Arrays.copyOf(hVer, n);
    }
    int i = hSize++;
    hTime[i] = time;
    hSeq[i] = seq++;
    hSlot[i] = f;
    hVer[i] = version;
    siftUp(i);
  }

  private void siftUp(int i) {
    while (i > 0) {
      int p = (i - 1) >>> 1;
      if (!hLess(i, p)) {
        break;
      }
      hSwap(i, p);
      i = p;
    }
  }

  private void siftDown(int i) {
    while (true) {
      int l = 2 * i + 1;
      if (l >= hSize) {
        break;
      }
      int m = l + 1 < hSize && hLess(l + 1, l) ? l + 1 : l;
      if (!hLess(m, i)) {
        break;
      }
      hSwap(i, m);
      i = m;
    }
  }

  private void heapPop() {
    hSize--;
    if (hSize > 0) {
      hTime[0] = hTime[hSize];
      hSeq[0] = hSeq[hSize];
      hSlot[0] = hSlot[hSize];
      hVer[0] = hVer[hSize];
      siftDown(0);
    }
  }

  private boolean stale(int i) {
    int f = hSlot[i];
    return fSrc[f] == NIL || ver[f] != hVer[i];
  }

  private void dropStaleTop() {
    while (hSize > 0 && stale(0)) {
      heapPop();
    }
  }

  /** Rebuilds the heap without stale entries once they outnumber the live ones. */
  private void maybeCompactHeap() {
    if (hSize <= 2 * active + 1024) {
      return;
    }
    int n = 0;
    for (int i = 0; i < hSize; i++) {
      if (!stale(i)) {
        hTime[n] = hTime[i];
        hSeq[n] = hSeq[i];
        hSlot[n] = hSlot[i];
        hVer[n] = hVer[i];
        n++;
      }
    }
    hSize = n;
    for (int i = (n >>> 1) - 1; i >= 0; i--) {
      siftDown(i);
    }
  }
}
