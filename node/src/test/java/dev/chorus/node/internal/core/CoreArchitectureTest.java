package dev.chorus.node.internal.core;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.time.Clock;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The swarm core is pure: no Netty, RocksDB, Micrometer, sockets, files, threads or clock reads.
 * The simulator runs this very code, so anything of that kind here would be a bug there.
 */
class CoreArchitectureTest {
  private static final JavaClasses CORE = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("dev.chorus.node.internal.core");

  @Test
  void coreDoesNoIo() {
    noClasses().that().resideInAPackage("dev.chorus.node.internal.core..")
        .should().dependOnClassesThat().resideInAnyPackage(
            "io.netty..", "org.rocksdb..", "io.micrometer..", "java.net..", "java.nio.channels..",
            "java.nio.file..", "java.net.http..", "org.slf4j..",
            "dev.chorus.node.internal.store..", "dev.chorus.node.internal.peer..", "dev.chorus.node.internal.trackerclient..",
            "dev.chorus.node.internal.originclient..")
        .check(CORE);
  }

  @Test
  void coreReadsNoClockAndStartsNoThreads() {
    noClasses().that().resideInAPackage("dev.chorus.node.internal.core..")
        .should().callMethod(System.class, "nanoTime")
        .orShould().callMethod(System.class, "currentTimeMillis")
        .orShould().callMethod(Instant.class, "now")
        .orShould().dependOnClassesThat().haveFullyQualifiedName(Clock.class.getName())
        .orShould().dependOnClassesThat().haveFullyQualifiedName(Thread.class.getName())
        .orShould().dependOnClassesThat().resideInAPackage("java.util.concurrent..")
        .check(CORE);
  }
}
