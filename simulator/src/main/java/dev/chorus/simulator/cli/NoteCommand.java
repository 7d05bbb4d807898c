package dev.chorus.simulator.cli;

import dev.chorus.simulator.scenario.PaperNotes;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code chorus sim note}: writes a generated table into its marked block of a note in
 * {@code papers/}, from results directories. {@code papers/reproduce} calls it; nobody types the
 * tables.
 */
@Command(
    name = "note",
    mixinStandardHelpOptions = true,
    versionProvider = SimCommand.Version.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
      "Writes a table computed from results directories into the block between "
          + "'<!-- generated:BLOCK begin ... -->' and '<!-- generated:BLOCK end -->' of a note; "
          + "the rest of the note is left byte for byte.",
      "",
      "Tables: p2p10 (the comparison with Kreitz and Niemelä, P2P'10: --results), history (the "
          + "listening-history warm-up: --results), sensitivity (--results is the base run, "
          + "--plan the variations, --plots where the tornado plots go).",
      ""
    },
    footer = {"", "Exit codes: 0 written, 2 bad usage or a note without the block's markers, 1 other errors."})
final class NoteCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "TABLE", description = "p2p10, history or sensitivity.")
  String table;

  @Option(names = "--note", required = true, paramLabel = "FILE", description = "The note to write into.")
  Path note;

  @Option(names = "--block", required = true, paramLabel = "BLOCK", description = "The block's name.")
  String block;

  @Option(names = "--results", required = true, paramLabel = "DIR",
      description = "A results directory of 'chorus sim run' (the base run for sensitivity).")
  Path results;

  @Option(names = "--label", paramLabel = "TEXT", defaultValue = "spotify-like",
      description = "history: the name of the --results run in the table (default: ${DEFAULT-VALUE}).")
  String label;

  @Option(names = "--extra", paramLabel = "LABEL=DIR",
      description = "history: more runs to list, by name; repeatable.")
  Map<String, String> extra = new LinkedHashMap<>();

  @Option(names = "--plan", paramLabel = "FILE",
      description = "sensitivity: tab-separated lines 'key label base low high lowDir highDir'.")
  Path plan;

  @Option(names = "--plots", paramLabel = "DIR", description = "sensitivity: where the tornado plots go.")
  Path plots;

  @Option(names = "--meta", paramLabel = "KEY=VALUE",
      description = "Provenance shown above the table (commit, wall time, mode...); repeatable.")
  Map<String, String> meta = new LinkedHashMap<>();

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    String content = switch (table) {
      case "p2p10" -> PaperNotes.p2p10Table(results, meta);
      case "history" -> {
        Map<String, Path> runs = new LinkedHashMap<>();
        runs.put(label, results);
        extra.forEach((k, v) -> runs.put(k, Path.of(v)));
        yield PaperNotes.historyTable(runs);
      }
      case "sensitivity" -> {
        if (plan == null || plots == null) {
          throw new ParameterException(spec.commandLine(), "sensitivity needs --plan and --plots");
        }
        yield PaperNotes.sensitivity(results, plan, plots, meta);
      }
      default -> throw new ParameterException(spec.commandLine(),
          "TABLE must be p2p10, history or sensitivity, got '" + table + "'");
    };
    try {
      PaperNotes.writeBlock(note, block, content);
    } catch (IllegalArgumentException e) {
      err.println("chorus sim note: " + note + ": " + e.getMessage());
      return SimCommand.EXIT_USAGE;
    }
    spec.commandLine().getOut().println("chorus sim note: wrote block " + block + " of " + note);
    return SimCommand.EXIT_OK;
  }
}
