package dev.chorus.protocol.noise;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A handshake pattern: pre-messages and message token lists, written in the spec's own notation
 * (sections 7.4, 7.5 and 7.6) so the table below can be checked against the spec by eye. Message
 * i is sent by the initiator when i is even. Immutable.
 */
final class HandshakePattern {
  enum Token {
    E, S, EE, ES, SE, SS, PSK
  }

  private static final Map<String, HandshakePattern> TABLE = new LinkedHashMap<>();

  static {
    // One-way patterns (7.4).
    define("N", "<- s", "...", "-> e, es");
    define("K", "-> s", "<- s", "...", "-> e, es, ss");
    define("X", "<- s", "...", "-> e, es, s, ss");
    // Fundamental interactive patterns (7.5).
    define("NN", "-> e", "<- e, ee");
    define("NK", "<- s", "...", "-> e, es", "<- e, ee");
    define("NX", "-> e", "<- e, ee, s, es");
    define("KN", "-> s", "...", "-> e", "<- e, ee, se");
    define("KK", "-> s", "<- s", "...", "-> e, es, ss", "<- e, ee, se");
    define("KX", "-> s", "...", "-> e", "<- e, ee, se, s, es");
    define("XN", "-> e", "<- e, ee", "-> s, se");
    define("XK", "<- s", "...", "-> e, es", "<- e, ee", "-> s, se");
    define("XX", "-> e", "<- e, ee, s, es", "-> s, se");
    define("IN", "-> e, s", "<- e, ee, se");
    define("IK", "<- s", "...", "-> e, es, s, ss", "<- e, ee, se");
    define("IX", "-> e, s", "<- e, ee, se, s, es");
    // Deferred patterns (7.6).
    define("NK1", "<- s", "...", "-> e", "<- e, ee, es");
    define("NX1", "-> e", "<- e, ee, s", "-> es");
    define("X1N", "-> e", "<- e, ee", "-> s", "<- se");
    define("X1K", "<- s", "...", "-> e, es", "<- e, ee", "-> s", "<- se");
    define("XK1", "<- s", "...", "-> e", "<- e, ee, es", "-> s, se");
    define("X1K1", "<- s", "...", "-> e", "<- e, ee, es", "-> s", "<- se");
    define("X1X", "-> e", "<- e, ee, s, es", "-> s", "<- se");
    define("XX1", "-> e", "<- e, ee, s", "-> es, s, se");
    define("X1X1", "-> e", "<- e, ee, s", "-> es, s", "<- se");
    define("K1N", "-> s", "...", "-> e", "<- e, ee", "-> se");
    define("K1K", "-> s", "<- s", "...", "-> e, es", "<- e, ee", "-> se");
    define("KK1", "-> s", "<- s", "...", "-> e", "<- e, ee, se, es");
    define("K1K1", "-> s", "<- s", "...", "-> e", "<- e, ee, es", "-> se");
    define("K1X", "-> s", "...", "-> e", "<- e, ee, s, es", "-> se");
    define("KX1", "-> s", "...", "-> e", "<- e, ee, se, s", "-> es");
    define("K1X1", "-> s", "...", "-> e", "<- e, ee, s", "-> se, es");
    define("I1N", "-> e, s", "<- e, ee", "-> se");
    define("I1K", "<- s", "...", "-> e, es, s", "<- e, ee", "-> se");
    define("IK1", "<- s", "...", "-> e, s", "<- e, ee, se, es");
    define("I1K1", "<- s", "...", "-> e, s", "<- e, ee, es", "-> se");
    define("I1X", "-> e, s", "<- e, ee, s, es", "-> se");
    define("IX1", "-> e, s", "<- e, ee, se, s", "-> es");
    define("I1X1", "-> e, s", "<- e, ee, s", "-> se, es");
  }

  private final String name;
  private final List<Token> initiatorPremessage;
  private final List<Token> responderPremessage;
  private final List<List<Token>> messages;

  private HandshakePattern(String name, List<Token> initiatorPremessage,
      List<Token> responderPremessage, List<List<Token>> messages) {
    this.name = name;
    this.initiatorPremessage = List.copyOf(initiatorPremessage);
    this.responderPremessage = List.copyOf(responderPremessage);
    List<List<Token>> copy = new ArrayList<>();
    for (List<Token> message : messages) {
      copy.add(List.copyOf(message));
    }
    this.messages = List.copyOf(copy);
  }

  /** The base pattern called {@code name} (e.g. "XX", "X1K1"), or null if unknown. */
  static HandshakePattern lookup(String name) {
    return TABLE.get(name);
  }

  /** Names of all base patterns, in spec order. */
  static List<String> names() {
    return List.copyOf(TABLE.keySet());
  }

  /**
   * This pattern with psk modifiers applied (spec 9.2): psk0 puts a psk token at the start of
   * the first message, pskN (N &gt;= 1) at the end of the N-th message.
   */
  HandshakePattern withPsks(List<Integer> positions, String modifiedName) {
    List<List<Token>> modified = new ArrayList<>();
    for (List<Token> message : messages) {
      modified.add(new ArrayList<>(message));
    }
    for (int position : positions) {
      if (position > messages.size()) {
        throw new IllegalArgumentException("psk" + position + " needs a pattern of at least "
            + position + " messages; " + name + " has " + messages.size());
      }
      if (position == 0) {
        modified.get(0).add(0, Token.PSK);
      } else {
        modified.get(position - 1).add(Token.PSK);
      }
    }
    return new HandshakePattern(modifiedName, initiatorPremessage, responderPremessage, modified);
  }

  String name() {
    return name;
  }

  /** The pre-message of the initiator (true) or the responder (false). */
  List<Token> premessage(boolean ofInitiator) {
    return ofInitiator ? initiatorPremessage : responderPremessage;
  }

  int messageCount() {
    return messages.size();
  }

  List<Token> message(int index) {
    return messages.get(index);
  }

  static boolean sentByInitiator(int messageIndex) {
    return messageIndex % 2 == 0;
  }

  boolean isOneWay() {
    return messages.size() == 1;
  }

  int pskCount() {
    int count = 0;
    for (List<Token> message : messages) {
      count += Collections.frequency(message, Token.PSK);
    }
    return count;
  }

  /** Whether the initiator (true) or responder (false) sends {@code token} in some message. */
  boolean sends(boolean initiatorSide, Token token) {
    for (int i = 0; i < messages.size(); i++) {
      if (sentByInitiator(i) == initiatorSide && messages.get(i).contains(token)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return name;
  }

  private static void define(String name, String... lines) {
    List<Token> initiatorPre = new ArrayList<>();
    List<Token> responderPre = new ArrayList<>();
    List<List<Token>> messages = new ArrayList<>();
    int separator = List.of(lines).indexOf("...");
    for (int i = 0; i < lines.length; i++) {
      if (i == separator) {
        continue;
      }
      boolean fromInitiator = lines[i].startsWith("->");
      List<Token> tokens = tokens(lines[i].substring(2));
      if (i < separator) {
        (fromInitiator ? initiatorPre : responderPre).addAll(tokens);
      } else {
        if (fromInitiator != sentByInitiator(messages.size())) {
          throw new AssertionError(name + ": messages must alternate, starting with ->");
        }
        messages.add(tokens);
      }
    }
    TABLE.put(name, new HandshakePattern(name, initiatorPre, responderPre, messages));
  }

  private static List<Token> tokens(String list) {
    List<Token> tokens = new ArrayList<>();
    for (String token : list.split(",")) {
      tokens.add(Token.valueOf(token.trim().toUpperCase(Locale.ROOT)));
    }
    return tokens;
  }
}
