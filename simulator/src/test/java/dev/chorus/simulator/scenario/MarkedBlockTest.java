package dev.chorus.simulator.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.simulator.cli.SimMainAccess;
import dev.chorus.simulator.swarm.SwarmSimulation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MarkedBlockTest {
  private static final String NOTE = """
      # A note

      Hand-written text before, with a table of its own:

      | a | b |
      |---|---|

      <!-- generated:t begin (do not edit) -->
      old line 1
      old line 2
      <!-- generated:t end -->

      Text after, byte for byte.
      <!-- generated:other begin -->
      other block
      <!-- generated:other end -->
      """;

  @Test
  void replacesExactlyTheMarkedBlock() {
    String out = MarkedBlock.replace(NOTE, "t", "new table");
    String expected = NOTE.replace("old line 1\nold line 2\n", "new table\n");
    assertEquals(expected, out);
    assertEquals("new table\n", MarkedBlock.content(out, "t"));
    assertEquals("other block\n", MarkedBlock.content(out, "other"));
    // Writing the same content again changes nothing.
    assertEquals(out, MarkedBlock.replace(out, "t", "new table\n"));
  }

  @Test
  void refusesANoteWithoutOrWithTwoBlocksOfTheName() {
    assertThrows(IllegalArgumentException.class, () -> MarkedBlock.replace(NOTE, "missing", "x"));
    String twice = NOTE + "<!-- generated:t begin -->\n<!-- generated:t end -->\n";
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> MarkedBlock.replace(twice, "t", "x"));
    assertTrue(e.getMessage().contains("exactly one"), e.getMessage());
    String endFirst = "<!-- generated:t end -->\n<!-- generated:t begin -->\n";
    assertThrows(IllegalArgumentException.class, () -> MarkedBlock.replace(endFirst, "t", "x"));
    assertThrows(IllegalArgumentException.class, () -> MarkedBlock.replace(NOTE, "Bad Name", "x"));
  }

  /** End to end on the tiny scenario: a run, then the P2P'10 table written into its block only. */
  @Test
  void theP2p10TableLandsInItsBlockFromARunOfTheTinyScenario(@TempDir Path tmp) throws IOException {
    Path results = tmp.resolve("r");
    assertEquals(0, SimMainAccess.execute(SwarmSimulation::run, "run",
        Path.of("scenarios", "tiny.scenario").toString(), "--set", "sim.peers=60", "--set",
        "sim.duration=20m", "--set", "sim.warmup=5m", "--out", results.toString(), "--quiet"));
    Path note = tmp.resolve("note.md");
    String before = NOTE.replace("generated:t ", "generated:p2p10-table ");
    Files.writeString(note, before, StandardCharsets.UTF_8);
    assertEquals(0, SimMainAccess.execute(SwarmSimulation::run, "note", "p2p10", "--note",
        note.toString(), "--block", "p2p10-table", "--results", results.toString(), "--meta",
        "commit=abc123"));
    String after = Files.readString(note, StandardCharsets.UTF_8);
    String table = MarkedBlock.content(after, "p2p10-table");
    assertEquals(before.replace("old line 1\nold line 2\n", table), after);
    assertTrue(table.contains("commit: abc123"), table);
    assertTrue(table.contains("| played from peers | 35.80% |"), table);
    assertTrue(table.contains("scenario tiny, 1 replication(s), seeds "), table);
  }
}
