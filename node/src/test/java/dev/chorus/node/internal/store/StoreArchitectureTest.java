package dev.chorus.node.internal.store;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The cache policy is a pure core: no RocksDB, Netty, network, threads or clock. */
class StoreArchitectureTest {
  private static final JavaClasses CLASSES = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("dev.chorus.node.internal.store");

  @Test
  void policyDoesNoIo() {
    noClasses().that().haveNameMatching("dev\\.chorus\\.node\\.internal\\.store\\.LruTrackPolicy.*")
        .should().dependOnClassesThat().resideInAnyPackage(
            "org.rocksdb..", "io.netty..", "io.micrometer..", "java.net..", "java.nio..", "java.io..")
        .check(CLASSES);
  }

  @Test
  void policyReadsNoClockAndStartsNoThreads() {
    noClasses().that().haveNameMatching("dev\\.chorus\\.node\\.internal\\.store\\.LruTrackPolicy.*")
        .should().callMethod(System.class, "nanoTime")
        .orShould().callMethod(System.class, "currentTimeMillis")
        .orShould().dependOnClassesThat().resideInAPackage("java.time..")
        .orShould().dependOnClassesThat().haveFullyQualifiedName(Thread.class.getName())
        .orShould().dependOnClassesThat().resideInAPackage("java.util.concurrent..")
        .check(CLASSES);
  }
}
