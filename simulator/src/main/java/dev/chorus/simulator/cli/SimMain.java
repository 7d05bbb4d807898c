package dev.chorus.simulator.cli;

import dev.chorus.simulator.swarm.SwarmSimulation;

/** {@code chorus sim}: the command line, running scenarios with the swarm driver. */
public final class SimMain {
  private SimMain() {}

  public static void main(String[] args) {
    System.exit(SimCommand.execute(SwarmSimulation::run, args));
  }
}
