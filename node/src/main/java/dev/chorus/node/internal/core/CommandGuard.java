package dev.chorus.node.internal.core;

import dev.chorus.protocol.NodeId;
import dev.chorus.protocol.manifest.TrackId;
import dev.chorus.protocol.wire.ErrorCode;
import dev.chorus.protocol.wire.Priority;
import java.util.List;

/**
 * Hands the core's commands to the shell and notes while one is being carried out, so that the
 * core can refuse an event delivered inside a command ({@link SwarmCore}'s "never re-entrantly"
 * rule). A shell that broke the rule would see its core change state in the middle of a decision
 * — a bug that shows only under some timings, so it is made to fail every time instead. The cost
 * is a boolean written twice per command.
 */
final class CommandGuard implements SwarmActions {
  private final SwarmActions shell;
  private String inCommand;

  CommandGuard(SwarmActions shell) {
    this.shell = shell;
  }

  /** Throws if an event arrives while a command is being carried out. */
  void checkNotInCommand(String event) {
    if (inCommand != null) {
      String command = inCommand;
      inCommand = null; // the shell's stack unwinds through the exception
      throw new IllegalStateException("SwarmCore." + event + " was called inside the command "
          + command + ": a shell must report a command's outcome as a later event, never from "
          + "inside the call");
    }
  }

  private void begin(String command) {
    inCommand = command;
  }

  private void end() {
    inCommand = null;
  }

  @Override
  public void fetchManifest(TrackId trackId) {
    begin("fetchManifest");
    try {
      shell.fetchManifest(trackId);
    } finally {
      end();
    }
  }

  @Override
  public void lookup(TrackId trackId, int maxPeers) {
    begin("lookup");
    try {
      shell.lookup(trackId, maxPeers);
    } finally {
      end();
    }
  }

  @Override
  public void connect(PeerContact contact) {
    begin("connect");
    try {
      shell.connect(contact);
    } finally {
      end();
    }
  }

  @Override
  public void punch(PeerContact contact) {
    begin("punch");
    try {
      shell.punch(contact);
    } finally {
      end();
    }
  }

  @Override
  public void disconnect(NodeId peer, ErrorCode reason) {
    begin("disconnect");
    try {
      shell.disconnect(peer, reason);
    } finally {
      end();
    }
  }

  @Override
  public void ban(NodeId peer, ErrorCode reason) {
    begin("ban");
    try {
      shell.ban(peer, reason);
    } finally {
      end();
    }
  }

  @Override
  public void requestChunks(NodeId peer, long requestId, TrackId trackId, int first, int count,
      Priority priority) {
    begin("requestChunks");
    try {
      shell.requestChunks(peer, requestId, trackId, first, count, priority);
    } finally {
      end();
    }
  }

  @Override
  public void cancelRequest(NodeId peer, long requestId) {
    begin("cancelRequest");
    try {
      shell.cancelRequest(peer, requestId);
    } finally {
      end();
    }
  }

  @Override
  public void fetchFromCdn(long fetchId, TrackId trackId, int first, int count) {
    begin("fetchFromCdn");
    try {
      shell.fetchFromCdn(fetchId, trackId, first, count);
    } finally {
      end();
    }
  }

  @Override
  public void cancelCdn(long fetchId) {
    begin("cancelCdn");
    try {
      shell.cancelCdn(fetchId);
    } finally {
      end();
    }
  }

  @Override
  public void serveChunks(NodeId peer, long requestId, TrackId trackId, int first, int count) {
    begin("serveChunks");
    try {
      shell.serveChunks(peer, requestId, trackId, first, count);
    } finally {
      end();
    }
  }

  @Override
  public void stopServing(NodeId peer, long requestId) {
    begin("stopServing");
    try {
      shell.stopServing(peer, requestId);
    } finally {
      end();
    }
  }

  @Override
  public void refuseRequest(NodeId peer, long requestId, int first, int count, ErrorCode reason) {
    begin("refuseRequest");
    try {
      shell.refuseRequest(peer, requestId, first, count, reason);
    } finally {
      end();
    }
  }

  @Override
  public void sendQuery(NodeId peer, long queryId, TrackId trackId, int hopsLeft) {
    begin("sendQuery");
    try {
      shell.sendQuery(peer, queryId, trackId, hopsLeft);
    } finally {
      end();
    }
  }

  @Override
  public void answerQuery(NodeId peer, long queryId, TrackId trackId, boolean includeSelf,
      List<PeerHolding> holders) {
    begin("answerQuery");
    try {
      shell.answerQuery(peer, queryId, trackId, includeSelf, holders);
    } finally {
      end();
    }
  }

  @Override
  public void announce(List<TrackId> trackIds) {
    begin("announce");
    try {
      shell.announce(trackIds);
    } finally {
      end();
    }
  }

  @Override
  public void withdraw(List<TrackId> trackIds) {
    begin("withdraw");
    try {
      shell.withdraw(trackIds);
    } finally {
      end();
    }
  }

  @Override
  public void sendHave(NodeId peer, TrackId trackId) {
    begin("sendHave");
    try {
      shell.sendHave(peer, trackId);
    } finally {
      end();
    }
  }
}
