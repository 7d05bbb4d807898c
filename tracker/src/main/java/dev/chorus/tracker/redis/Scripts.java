package dev.chorus.tracker.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The Lua scripts. Every key a script touches is declared in KEYS, and in a cluster all of them
 * are in one shard (one hash slot), so Redis runs each script atomically on the node that owns the
 * slot, and refuses it before it starts (rather than halfway) if the slot is moving. Only on a
 * single server do the expiry and statistics scripts take several shards at once. Scores are epoch
 * milliseconds of the callers' clocks; the scripts never read Redis's clock. Described in
 * tracker/docs/redis.md.
 */
final class Scripts {
  /** A script and its SHA-1, for EVALSHA (falling back to EVAL when a node has not cached it). */
  static final class Script {
    final String name;
    final String body;
    final String sha;

    Script(String name, String body) {
      this.name = name;
      this.body = body;
      try {
        this.sha = HexFormat.of().formatHex(
            MessageDigest.getInstance("SHA-1").digest(body.getBytes(StandardCharsets.UTF_8)));
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("SHA-1 is required of every JDK", e);
      }
    }

    @Override
    public String toString() {
      return name + "@" + sha.substring(0, 8);
    }
  }

  private Scripts() {}

  /**
   * Lua: {@code tracks_put(node, now, keep, k, a, n, accepted)} adds or refreshes a peer's entries
   * in n tracks, trimming each track that gained an entry to its newest {@code keep} entries (among
   * entries of equal time, the one just announced stays). Track i's keys are KEYS[k+4i-3..k+4i]
   * (entries, holdings, shard tracks, shard entry count) — in a cluster, all of one shard; on a
   * single server, of any — and its id and entry value (time and holding, Blobs.entry, written with
   * the same time as {@code now}) ARGV[a+2i], ARGV[a+2i+1]. Tracks i with {@code
   * accepted[i]} false are skipped (accepted nil: none). The shard's registry keeps each track's
   * oldest time; it is rewritten only when that may have changed (the track was empty, this peer
   * held the oldest entry, the new time is older, or entries were evicted). Returns the evicted
   * entries as (track, node, score).
   */
  private static final String TRACKS_PUT_FUNCTION = """
      local function tracks_put(node, now, keep, k, a, n, accepted)
        local evicted, deltas = {}, {}
        local nowNumber = tonumber(now)
        for i = 1, n do
          if accepted == nil or accepted[i] then
            local t, h, reg, cnt = KEYS[k + 4 * i - 3], KEYS[k + 4 * i - 2], KEYS[k + 4 * i - 1], KEYS[k + 4 * i]
            local track = ARGV[a + 2 * i]
            local first = redis.call('ZRANGE', t, 0, 0, 'WITHSCORES')
            local delta = redis.call('ZADD', t, now, node)
            redis.call('HSET', h, node, ARGV[a + 2 * i + 1])
            local oldestMoved = first[1] == nil or first[1] == node or nowNumber < tonumber(first[2])
            if delta == 1 then
              local excess = redis.call('ZCARD', t) - keep
              if excess > 0 then
                oldestMoved = true
                local low = redis.call('ZRANGE', t, 0, excess, 'WITHSCORES')
                local survivor, survivorScore = low[2 * excess + 1], low[2 * excess + 2]
                for j = 1, excess do
                  local m, s = low[2 * j - 1], low[2 * j]
                  if m == node and tonumber(s) == tonumber(survivorScore) then
                    m, s = survivor, survivorScore
                  end
                  redis.call('ZREM', t, m)
                  redis.call('HDEL', h, m)
                  evicted[#evicted + 1] = track
                  evicted[#evicted + 1] = m
                  evicted[#evicted + 1] = s
                  delta = delta - 1
                end
              end
            end
            if oldestMoved then
              local oldest = redis.call('ZRANGE', t, 0, 0, 'WITHSCORES')
              redis.call('ZADD', reg, oldest[2], track)
            end
            deltas[cnt] = (deltas[cnt] or 0) + delta
          end
        end
        for cnt, delta in pairs(deltas) do
          if delta ~= 0 and redis.call('INCRBY', cnt, delta) == 0 then
            redis.call('DEL', cnt)
          end
        end
        return evicted
      end
      """;

  /**
   * Adds or refreshes a peer's entries in tracks ({@code tracks_put}, every track). KEYS: (track
   * entries, track holdings, shard tracks, shard entry count) per track. ARGV: node, now, keep,
   * then (track, entry value) per track. Returns the evicted entries as (track, node, score).
   */
  static final Script TRACKS_PUT = new Script("tracks_put", TRACKS_PUT_FUNCTION + """
      return tracks_put(ARGV[1], ARGV[2], tonumber(ARGV[3]), 0, 2, #KEYS / 4, nil)
      """);

  /**
   * Removes a peer's entries from tracks. KEYS: (track entries, track holdings, shard tracks, shard
   * entry count) per track — in a cluster, all of one shard. ARGV: node, then the tracks. Returns
   * how many entries there were.
   */
  static final Script TRACKS_REMOVE = new Script("tracks_remove", """
      local node = ARGV[1]
      local removed, deltas = 0, {}
      for i = 1, #KEYS / 4 do
        local t, h, reg, cnt = KEYS[4 * i - 3], KEYS[4 * i - 2], KEYS[4 * i - 1], KEYS[4 * i]
        local track = ARGV[1 + i]
        if redis.call('ZREM', t, node) == 1 then
          redis.call('HDEL', h, node)
          removed = removed + 1
          deltas[cnt] = (deltas[cnt] or 0) + 1
          local oldest = redis.call('ZRANGE', t, 0, 0, 'WITHSCORES')
          if #oldest == 0 then
            redis.call('ZREM', reg, track)
            redis.call('DEL', h)
          else
            redis.call('ZADD', reg, oldest[2], track)
          end
        end
      end
      for cnt, n in pairs(deltas) do
        if redis.call('DECRBY', cnt, n) == 0 then
          redis.call('DEL', cnt)
        end
      end
      return removed
      """);

  /**
   * Lua: {@code peer_announce(a, stride, n)} records a peer's announce: its info and the tracks
   * listed, within the caps. A peer exists (info key, entry in the shard's peers) exactly while its
   * track set is non-empty. KEYS[1..3]: peer info, peer tracks, shard peers. ARGV: node, now, info,
   * full (1|0), safety TTL ms, cap per peer, cap per prefix, entries of the prefix's other peers
   * (as the calling instance counts them); track i is ARGV[a + stride * (i - 1)], i = 1..n. A track
   * the set does not have yet is refused when the set holds the cap per peer, or when the set plus
   * the others reach the cap per prefix; when no track could be refused even if all were new, the
   * tracks are added with one ZADD. Returns {tracks the peer held before and a full announce
   * no longer lists, refused tracks, refused for the peer cap, refused for the prefix cap, size of
   * the track set after}, and whether each track i was accepted.
   */
  private static final String PEER_ANNOUNCE_FUNCTION = """
      local function peer_announce(a, stride, n)
        local nListed = n
        local p, pt, peers = KEYS[1], KEYS[2], KEYS[3]
        local now, px = ARGV[2], ARGV[5]
        local perPeer, perPrefix, others = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
        local dropped, refused, accepted = {}, {}, {}
        local peerCap, prefixCap = 0, 0
        if ARGV[4] == '1' then
          local listed = {}
          for i = 1, n do
            listed[ARGV[a + stride * (i - 1)]] = true
          end
          for _, tr in ipairs(redis.call('ZRANGE', pt, 0, -1)) do
            if not listed[tr] then
              dropped[#dropped + 1] = tr
              redis.call('ZREM', pt, tr)
            end
          end
        end
        local size = redis.call('ZCARD', pt)
        if n <= 512 and size + n <= perPeer and size + n + others <= perPrefix then
          -- No cap can refuse a track even if all are new: one ZADD for all (at most 1,024 values
          -- for unpack).
          local add = {}
          for i = 1, n do
            add[2 * i - 1], add[2 * i] = now, ARGV[a + stride * (i - 1)]
            accepted[i] = true
          end
          if n > 0 then
            size = size + redis.call('ZADD', pt, unpack(add))
          end
          n = 0
        end
        for i = 1, n do
          local tr = ARGV[a + stride * (i - 1)]
          if redis.call('ZSCORE', pt, tr) then
            redis.call('ZADD', pt, now, tr)
            accepted[i] = true
          elseif size >= perPeer then
            refused[#refused + 1] = tr
            peerCap = peerCap + 1
          elseif size + others >= perPrefix then
            refused[#refused + 1] = tr
            prefixCap = prefixCap + 1
          else
            redis.call('ZADD', pt, now, tr)
            size = size + 1
            accepted[i] = true
          end
        end
        local retag = {}
        if size > 0 then
          local old = redis.call('SET', p, ARGV[3], 'PX', px, 'GET')
          redis.call('PEXPIRE', pt, px)
          redis.call('ZADD', peers, now, ARGV[1])
          if ARGV[4] ~= '1' and (not old or string.sub(old, 2, 9) ~= string.sub(ARGV[3], 2, 9)) then
            -- New version, incremental announce: the entries of the tracks not listed still name
            -- the old one. (A full announce lists every track the peer keeps.) The version (bytes
            -- 2-9) leaves the coordinate out: a coordinate-only change re-versions nothing.
            local listed = {}
            for i = 1, nListed do
              listed[ARGV[a + stride * (i - 1)]] = true
            end
            for _, tr in ipairs(redis.call('ZRANGE', pt, 0, -1)) do
              if not listed[tr] then
                retag[#retag + 1] = tr
              end
            end
          end
        else
          redis.call('DEL', p)
          redis.call('ZREM', peers, ARGV[1])
        end
        return {dropped, refused, peerCap, prefixCap, size, retag}, accepted
      end
      """;

  /**
   * Records a peer's announce ({@code peer_announce}). KEYS: peer info, peer tracks, shard peers.
   * ARGV: node, now, info, full (1|0), safety TTL ms, cap per peer, cap per prefix, entries of the
   * prefix's other peers, tracks... Returns {dropped tracks, refused tracks, refused for the peer
   * cap, refused for the prefix cap, size of the track set after, tracks to re-version}.
   */
  static final Script PEER_ANNOUNCE = new Script("peer_announce", PEER_ANNOUNCE_FUNCTION + """
      local out = peer_announce(9, 1, #ARGV - 8)
      return out
      """);

  /**
   * A whole announce in one call, for a single server: {@code peer_announce}, then {@code
   * tracks_put} of the tracks it accepted, atomically — the peer's set is written before its
   * entries, as with the two calls. KEYS: peer info, peer tracks, shard peers, then (track entries,
   * track holdings, shard tracks, shard entry count) per track. ARGV: as {@link #PEER_ANNOUNCE}'s
   * first eight, keep, then (track, entry value) per track. Returns {@link #PEER_ANNOUNCE}'s reply with
   * the evicted entries, (track, node, score), as a seventh element. Not for a cluster: its keys span
   * the peer's shard and the tracks'.
   */
  static final Script ANNOUNCE = new Script("announce", PEER_ANNOUNCE_FUNCTION + TRACKS_PUT_FUNCTION + """
      local n = (#ARGV - 9) / 2
      local out, accepted = peer_announce(10, 2, n)
      out[7] = tracks_put(ARGV[1], ARGV[2], tonumber(ARGV[9]), 3, 8, n, accepted)
      return out
      """);

  /**
   * Writes a peer's new info version into its entries of tracks (after an incremental announce that
   * changed the info other than its coordinate, {@link #PEER_ANNOUNCE}), keeping their times and holdings; a track that no
   * longer has the peer's entry is left alone. KEYS: track holdings — in a cluster, all of one
   * shard. ARGV: node, version (8 bytes, as in the entry value). Returns how many entries it wrote.
   */
  static final Script TRACKS_RETAG = new Script("tracks_retag", """
      local node, version = ARGV[1], ARGV[2]
      local n = 0
      for i = 1, #KEYS do
        local v = redis.call('HGET', KEYS[i], node)
        if v and #v >= 20 then
          redis.call('HSET', KEYS[i], node, string.sub(v, 1, 9) .. version .. string.sub(v, 18))
          n = n + 1
        end
      end
      return n
      """);

  /**
   * Drops tracks from a peer's track set at its request, forgetting the peer if none are left.
   * KEYS: peer info, peer tracks, shard peers. ARGV: node, tracks... Returns the set's size after.
   */
  static final Script PEER_WITHDRAW = new Script("peer_withdraw", """
      for i = 2, #ARGV do
        redis.call('ZREM', KEYS[2], ARGV[i])
      end
      if redis.call('EXISTS', KEYS[2]) == 0 then
        redis.call('DEL', KEYS[1])
        redis.call('ZREM', KEYS[3], ARGV[1])
      end
      return redis.call('ZCARD', KEYS[2])
      """);

  /** Forgets a peer. KEYS: peer info, peer tracks, shard peers. ARGV: node. Returns its tracks. */
  static final Script PEER_REMOVE = new Script("peer_remove", """
      local tracks = redis.call('ZRANGE', KEYS[2], 0, -1)
      redis.call('DEL', KEYS[1], KEYS[2])
      redis.call('ZREM', KEYS[3], ARGV[1])
      return tracks
      """);

  /**
   * Drops tracks from peers' track sets after their entries were evicted or expired, unless the
   * peer announced the track again since; forgets a peer left with no tracks. KEYS: (peer tracks,
   * peer info, shard peers) per item — in a cluster, all of one shard. ARGV: (node, track, score of
   * the removed entry) per item. Returns how many tracks were dropped.
   */
  static final Script PEER_UNLINK = new Script("peer_unlink", """
      local n = 0
      for i = 1, #KEYS / 3 do
        local pt, p, peers = KEYS[3 * i - 2], KEYS[3 * i - 1], KEYS[3 * i]
        local node, tr = ARGV[3 * i - 2], ARGV[3 * i - 1]
        local cur = redis.call('ZSCORE', pt, tr)
        if cur and tonumber(cur) <= tonumber(ARGV[3 * i]) then
          n = n + redis.call('ZREM', pt, tr)
        end
        if redis.call('EXISTS', pt) == 0 then
          redis.call('DEL', p)
          redis.call('ZREM', peers, node)
        end
      end
      return n
      """);

  /**
   * Lists tracks with expired entries, oldest first, shard by shard, up to a budget. KEYS: shard
   * tracks, of one shard (cluster) or several (single server). ARGV: cutoff (scores at or below it
   * are expired), budget. Returns (1-based index of the shard's key, track) pairs.
   */
  static final Script SHARD_DUE = new Script("shard_due", """
      local out, budget = {}, tonumber(ARGV[2])
      for k = 1, #KEYS do
        local due = redis.call('ZRANGEBYSCORE', KEYS[k], '-inf', ARGV[1], 'LIMIT', 0, budget)
        for _, tr in ipairs(due) do
          out[#out + 1] = k
          out[#out + 1] = tr
        end
        budget = budget - #due
        if budget <= 0 then
          break
        end
      end
      return out
      """);

  /**
   * Removes the expired entries of the given tracks, keeping each shard's registry and count
   * exact track by track. KEYS: (track entries, track holdings, shard tracks, shard entry count)
   * per track — in a cluster, all of one shard. ARGV: cutoff, then the track ids. Returns {removed
   * entries, then (track, node, score) per removed entry}.
   */
  static final Script TRACKS_EXPIRE = new Script("tracks_expire", """
      local cutoff = ARGV[1]
      local out = {0}
      local removed = 0
      for i = 1, #KEYS / 4 do
        local t, h, reg, cnt = KEYS[4 * i - 3], KEYS[4 * i - 2], KEYS[4 * i - 1], KEYS[4 * i]
        local tr = ARGV[1 + i]
        local old = redis.call('ZRANGEBYSCORE', t, '-inf', cutoff, 'WITHSCORES')
        if #old > 0 then
          for j = 1, #old, 2 do
            redis.call('HDEL', h, old[j])
            out[#out + 1] = tr
            out[#out + 1] = old[j]
            out[#out + 1] = old[j + 1]
          end
          redis.call('ZREMRANGEBYSCORE', t, '-inf', cutoff)
          if redis.call('DECRBY', cnt, #old / 2) == 0 then
            redis.call('DEL', cnt)
          end
          removed = removed + #old / 2
        end
        local oldest = redis.call('ZRANGE', t, 0, 0, 'WITHSCORES')
        if #oldest == 0 then
          redis.call('ZREM', reg, tr)
          redis.call('DEL', h)
        else
          redis.call('ZADD', reg, oldest[2], tr)
        end
      end
      out[1] = removed
      return out
      """);

  /**
   * Sizes of one or more shards (several only on a single server). KEYS: (shard tracks, shard
   * entry count, shard peers) per shard. Returns {peers, tracks, entries} summed.
   */
  static final Script SHARD_STATS = new Script("shard_stats", """
      local peers, tracks, entries = 0, 0, 0
      for k = 1, #KEYS / 3 do
        tracks = tracks + redis.call('ZCARD', KEYS[3 * k - 2])
        entries = entries + tonumber(redis.call('GET', KEYS[3 * k - 1]) or '0')
        peers = peers + redis.call('ZCARD', KEYS[3 * k])
      end
      return {peers, tracks, entries}
      """);
}
