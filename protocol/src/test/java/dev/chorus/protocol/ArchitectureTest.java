package dev.chorus.protocol;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The cores (framing, message codec, Noise, manifests, limits, HTTP ranges, durations) stay
 * sans-IO: no Netty, no sockets, no threads, no clock. Only dev.chorus.protocol.netty may touch
 * Netty.
 */
class ArchitectureTest {
  private static final String[] CORES = {
    "dev.chorus.protocol", "dev.chorus.protocol.framing", "dev.chorus.protocol.message",
    "dev.chorus.protocol.noise", "dev.chorus.protocol.manifest", "dev.chorus.protocol.limits",
    "dev.chorus.protocol.http", "dev.chorus.protocol.time"
  };

  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("dev.chorus.protocol");
  }

  @Test
  void coresDoNotUseNettyOrTheNetwork() {
    ArchRule rule = noClasses().that().resideInAnyPackage(CORES)
        .should().dependOnClassesThat().resideInAnyPackage("io.netty..", "java.net..", "java.nio.channels..");
    rule.check(classes);
  }

  @Test
  void coresDoNotReadTheClock() {
    ArchRule rule = noClasses().that().resideInAnyPackage(CORES)
        .should().callMethod(System.class, "nanoTime")
        .orShould().callMethod(System.class, "currentTimeMillis")
        .orShould().dependOnClassesThat().haveFullyQualifiedName("java.time.Clock")
        .orShould().dependOnClassesThat().haveFullyQualifiedName("java.time.Instant");
    rule.check(classes);
  }

  @Test
  void coresStartNoThreads() {
    ArchRule rule = noClasses().that().resideInAnyPackage(CORES)
        .should().dependOnClassesThat().haveFullyQualifiedName(Thread.class.getName())
        .orShould().dependOnClassesThat().resideInAPackage("java.util.concurrent..");
    rule.check(classes);
  }

  @Test
  void generatedWireMessagesDependOnNothingOfOurs() {
    noClasses().that().resideInAPackage("dev.chorus.protocol.wire")
        .should().dependOnClassesThat().resideInAnyPackage(
            "dev.chorus.protocol.netty..", "dev.chorus.protocol.noise..", "dev.chorus.protocol.manifest..")
        .check(classes);
  }
}
