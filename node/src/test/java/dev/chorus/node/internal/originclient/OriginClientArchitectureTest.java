package dev.chorus.node.internal.originclient;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The retry and failover decisions are a pure core: no network, threads or clock. */
class OriginClientArchitectureTest {
  private static final JavaClasses CLASSES = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("dev.chorus.node.internal.originclient");

  @Test
  void retryPlanDoesNoIo() {
    noClasses().that().haveNameMatching("dev\\.chorus\\.node\\.internal\\.originclient\\.RetryPlan.*")
        .should().dependOnClassesThat().resideInAnyPackage(
            "io.netty..", "io.micrometer..", "java.net..", "java.nio..", "java.io..")
        .check(CLASSES);
  }

  @Test
  void retryPlanReadsNoClockAndStartsNoThreads() {
    noClasses().that().haveNameMatching("dev\\.chorus\\.node\\.internal\\.originclient\\.RetryPlan.*")
        .should().callMethod(System.class, "nanoTime")
        .orShould().callMethod(System.class, "currentTimeMillis")
        .orShould().dependOnClassesThat().resideInAPackage("java.time..")
        .orShould().dependOnClassesThat().haveFullyQualifiedName(Thread.class.getName())
        .orShould().dependOnClassesThat().resideInAPackage("java.util.concurrent..")
        .check(CLASSES);
  }
}
