package dev.chorus.simulator;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.time.Clock;
import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The simulator's engine, network model and workload model are pure: no I/O, no threads, no clock
 * reads and no unseeded randomness, so that a run is a function of its scenario and seed. Only the
 * CLI and the results writer touch files; benchmarks that time things live in {@code bench/}.
 */
class SimulatorArchitectureTest {
  private static final String[] PURE = {
      "dev.chorus.simulator.engine..", "dev.chorus.simulator.network..", "dev.chorus.simulator.workload.."};
  private static final JavaClasses CLASSES = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("dev.chorus.simulator");

  @Test
  void engineNetworkAndWorkloadDoNoIo() {
    noClasses().that().resideInAnyPackage(PURE)
        .should().dependOnClassesThat().resideInAnyPackage("java.io..", "java.nio..", "java.net..",
            "io.netty..", "org.rocksdb..", "org.slf4j..", "io.micrometer..",
            "dev.chorus.simulator.cli..", "dev.chorus.simulator.scenario..",
            "dev.chorus.simulator.swarm..")
        .check(CLASSES);
  }

  @Test
  void engineNetworkAndWorkloadReadNoClockStartNoThreadAndDrawNoUnseededRandomness() {
    noClasses().that().resideInAnyPackage(PURE)
        .should().callMethod(System.class, "nanoTime")
        .orShould().callMethod(System.class, "currentTimeMillis")
        .orShould().callMethod(Instant.class, "now")
        .orShould().callMethod(Math.class, "random")
        .orShould().dependOnClassesThat().haveFullyQualifiedName(Clock.class.getName())
        .orShould().dependOnClassesThat().haveFullyQualifiedName(Thread.class.getName())
        .orShould().dependOnClassesThat().haveFullyQualifiedName(Random.class.getName())
        .orShould().dependOnClassesThat().resideInAPackage("java.util.concurrent..")
        .check(CLASSES);
  }
}
