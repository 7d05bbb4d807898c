package dev.chorus.demo;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a chaos soak measured ({@link ChaosSoak}). Plays are counted by the players: a play that
 * the end of the run cut short is not counted.
 *
 * @param outcomes ended plays by how they ended ({@code VerifyingPlayer.Outcome} names)
 * @param unverifiedBytes bytes a player received that differ from the published file (must be 0)
 * @param bytesPlayed bytes the players received
 * @param playsStarted plays that received at least one byte
 * @param stutters times a player's buffer ran dry after its play started
 * @param peerShare of the bytes nodes fetched over the network, the share peers sent
 * @param kills SIGKILLs of child nodes (each followed by a restart on the same cache)
 * @param restarts child node restarts that came up
 * @param trackerRestarts times the tracker was stopped and started again
 * @param originOutageSeconds how long the origin was stopped
 * @param stalledSeconds how long one child node was frozen (SIGSTOP)
 * @param corruptChunksSent chunks the corrupting peer sent (each fails verification)
 * @param bans bans by the in-process nodes (peers that sent bad data)
 * @param diskFullEvents nodes whose cache hit its full filesystem and turned caching off (-1: no tmpfs)
 * @param diskFullPlaysAfter plays the full-disk node's player completed after that
 * @param cachesReopened child caches reopened after their last SIGKILL
 * @param cachedChunksVerified chunks read and verified in those caches
 * @param cacheErrors caches that did not open, and chunks that failed or were missing
 * @param errorSamples up to five error messages of each kind players saw
 */
public record ChaosReport(Map<String, Long> outcomes, long unverifiedBytes, long bytesPlayed, long playsStarted,
    long stutters, double peerShare, long kills, long restarts, long trackerRestarts, long originOutageSeconds,
    long stalledSeconds, long corruptChunksSent, long bans, long diskFullEvents, long diskFullPlaysAfter,
    long cachesReopened, long cachedChunksVerified, long cacheErrors, long elapsedSeconds, List<String> errorSamples) {

  public long plays() {
    return outcomes.values().stream().mapToLong(Long::longValue).sum();
  }

  public long outcome(String name) {
    return outcomes.getOrDefault(name, 0L);
  }

  /** Plays that ended neither complete nor with a clear error (a hang, an unexpected failure). */
  public long unclearEndings() {
    return outcome("HUNG") + outcome("OTHER");
  }

  public double stutterRate() {
    return playsStarted == 0 ? 0 : (double) stutters / playsStarted;
  }

  /** The {@code BENCH} lines of {@code bench/run chaos} (bench/README.md). */
  public List<String> benchLines() {
    return List.of(
        line("chaos_plays", plays(), "plays"),
        line("chaos_plays_completed", outcome("COMPLETE"), "plays"),
        line("chaos_errors_node_killed", outcome("NODE_KILLED"), "plays"),
        line("chaos_errors_http", outcome("HTTP_ERROR"), "plays"),
        line("chaos_errors_cut_by_node", outcome("CUT_BY_NODE"), "plays"),
        line("chaos_errors_unclear", unclearEndings(), "plays"),
        line("chaos_unverified_bytes", unverifiedBytes, "bytes"),
        line("chaos_bytes_played", bytesPlayed, "bytes"),
        String.format(Locale.ROOT, "BENCH chaos_stutters_per_play %.4f stutters", stutterRate()),
        String.format(Locale.ROOT, "BENCH chaos_peer_share %.4f ratio", peerShare),
        line("chaos_kills", kills, "kills"),
        line("chaos_restarts", restarts, "restarts"),
        line("chaos_tracker_restarts", trackerRestarts, "restarts"),
        line("chaos_origin_outage", originOutageSeconds, "s"),
        line("chaos_stall", stalledSeconds, "s"),
        line("chaos_corrupt_chunks_sent", corruptChunksSent, "chunks"),
        line("chaos_bans", bans, "bans"),
        line("chaos_disk_full_events", diskFullEvents, "events"),
        line("chaos_disk_full_plays_after", diskFullPlaysAfter, "plays"),
        line("chaos_caches_reopened", cachesReopened, "caches"),
        line("chaos_cached_chunks_verified", cachedChunksVerified, "chunks"),
        line("chaos_cache_errors", cacheErrors, "errors"),
        line("chaos_elapsed", elapsedSeconds, "s"));
  }

  private static String line(String name, long value, String unit) {
    return "BENCH " + name + " " + value + " " + unit;
  }
}
