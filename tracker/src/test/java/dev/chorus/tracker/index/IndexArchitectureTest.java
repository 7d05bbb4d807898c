package dev.chorus.tracker.index;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The index, the ranker and the lookup policy (dev.chorus.tracker.index and below; the Redis
 * backend lives apart, in dev.chorus.tracker.redis) stay pure: no network, no Netty, no Redis client, no metrics library, no clock, no
 * threads. InMemoryPeerIndex may use a lock, and nothing else from java.util.concurrent but the
 * completed stages it returns.
 */
class IndexArchitectureTest {
  private static final String INDEX = "dev.chorus.tracker.index";
  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages(INDEX);
    // importPackages takes subpackages too; the rules below cover them.
  }

  @Test
  void noNetworkNettyRedisOrMetrics() {
    noClasses().that().resideInAPackage(INDEX + "..")
        .should().dependOnClassesThat().resideInAnyPackage(
            "io.netty..", "io.lettuce..", "io.micrometer..", "java.net..", "java.nio.channels..")
        .check(classes);
  }

  @Test
  void noClock() {
    noClasses().that().resideInAPackage(INDEX + "..")
        .should().callMethod(System.class, "nanoTime")
        .orShould().callMethod(System.class, "currentTimeMillis")
        .orShould().dependOnClassesThat().haveFullyQualifiedName("java.time.Clock")
        .orShould().dependOnClassesThat().haveFullyQualifiedName("java.time.Instant")
        .check(classes);
  }

  @Test
  void noThreads() {
    noClasses().that().resideInAPackage(INDEX + "..")
        .should().dependOnClassesThat().haveFullyQualifiedName(Thread.class.getName())
        .orShould().dependOnClassesThat().haveFullyQualifiedName("java.util.concurrent.Executor")
        .orShould().dependOnClassesThat().haveFullyQualifiedName("java.util.concurrent.ExecutorService")
        .check(classes);
  }
}
