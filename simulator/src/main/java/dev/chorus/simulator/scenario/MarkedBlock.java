package dev.chorus.simulator.scenario;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A generated block inside a hand-written note: the lines between
 * {@code <!-- generated:NAME begin ... -->} and {@code <!-- generated:NAME end -->}. The
 * regeneration command ({@code papers/reproduce}) replaces what is between the two markers and
 * leaves every other byte of the note as it was, so tables in the notes are written by a command,
 * never by hand.
 */
public final class MarkedBlock {
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");

  private MarkedBlock() {}

  /** The begin marker's fixed prefix for block {@code name}; the marker line may say more after it. */
  static String beginPrefix(String name) {
    return "<!-- generated:" + name + " begin";
  }

  static String endMarker(String name) {
    return "<!-- generated:" + name + " end -->";
  }

  /**
   * Returns {@code document} with the content of block {@code name} replaced by {@code content}
   * (which gets a final newline if it lacks one). The begin marker's line and the end marker stay.
   *
   * @throws IllegalArgumentException if the name is not a block name, or the document does not
   *     hold exactly one begin marker followed by exactly one end marker for it
   */
  public static String replace(String document, String name, String content) {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("a block name is lower-case letters, digits and '-', got '"
          + name + "'");
    }
    String begin = beginPrefix(name);
    String end = endMarker(name);
    int b = document.indexOf(begin);
    if (b < 0 || document.indexOf(begin, b + 1) >= 0) {
      throw new IllegalArgumentException("the note must hold exactly one '" + begin
          + " ... -->' line; found " + count(document, begin) + ": add the markers where the block goes");
    }
    int lineEnd = document.indexOf('\n', b);
    int e = document.indexOf(end);
    if (lineEnd < 0 || e < 0 || e < lineEnd || document.indexOf(end, e + 1) >= 0) {
      throw new IllegalArgumentException("the note must hold exactly one '" + end
          + "' after the begin marker of block " + name + "; found " + count(document, end));
    }
    String body = content.endsWith("\n") ? content : content + "\n";
    return document.substring(0, lineEnd + 1) + body + document.substring(e);
  }

  /** The current content of block {@code name} (between the markers), for tests and checks. */
  public static String content(String document, String name) {
    Matcher m = Pattern.compile(Pattern.quote(beginPrefix(name)) + "[^\\n]*\\n(.*?)"
        + Pattern.quote(endMarker(name)), Pattern.DOTALL).matcher(document);
    if (!m.find()) {
      throw new IllegalArgumentException("no block " + name + " in the note");
    }
    return m.group(1);
  }

  private static int count(String s, String what) {
    int n = 0;
    for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
      n++;
    }
    return n;
  }
}
