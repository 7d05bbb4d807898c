package dev.chorus.node.internal.portmap;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The mapping decisions and the message codecs are pure: no network, threads or clock. */
class PortMappingArchitectureTest {
  private static final JavaClasses CLASSES = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("dev.chorus.node.internal.portmap");
  private static final String PURE =
      "dev\\.chorus\\.node\\.internal\\.portmap\\.(PortMappingCore|MappingPolicy|MappingCommand|NatPmpCodec|PcpCodec"
          + "|DefaultGateway)(\\$.*)?";

  @Test
  void theCoreAndTheCodecsDoNoIo() {
    noClasses().that().haveNameMatching(PURE)
        .should().dependOnClassesThat().resideInAnyPackage("io.netty..", "java.net..", "java.nio.file..",
            "java.nio.channels..", "java.io..", "org.slf4j..")
        .check(CLASSES);
  }

  @Test
  void theCoreAndTheCodecsReadNoClockAndStartNoThreads() {
    noClasses().that().haveNameMatching(PURE)
        .should().callMethod(System.class, "nanoTime")
        .orShould().callMethod(System.class, "currentTimeMillis")
        .orShould().dependOnClassesThat().resideInAPackage("java.time..")
        .orShould().dependOnClassesThat().haveFullyQualifiedName(Thread.class.getName())
        .orShould().dependOnClassesThat().resideInAPackage("java.util.concurrent..")
        .check(CLASSES);
  }
}
