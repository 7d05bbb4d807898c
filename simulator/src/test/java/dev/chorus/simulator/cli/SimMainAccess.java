package dev.chorus.simulator.cli;

import dev.chorus.simulator.scenario.ScenarioRunner;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;

/** Runs {@code chorus sim} from tests in other packages, with captured streams. */
public final class SimMainAccess {
  private SimMainAccess() {}

  public static int execute(ScenarioRunner runner, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = SimCommand.execute(runner, new PrintWriter(out, true), new PrintWriter(err, true),
        Clock.systemUTC(), false, args);
    if (code != 0) {
      System.err.println(out);
      System.err.println(err);
    }
    return code;
  }
}
