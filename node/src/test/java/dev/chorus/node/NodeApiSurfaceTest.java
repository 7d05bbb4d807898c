package dev.chorus.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A user of chorus-node sees the documented API and nothing else. Public types outside
 * {@code dev.chorus.node.internal} are exactly the ones node/README.md lists, and none of them lets
 * an internal type through its public or protected members — otherwise the internal packages would
 * be API in all but name. Adding a public type here means documenting it; that is the point.
 */
class NodeApiSurfaceTest {
  private static final Set<String> DOCUMENTED_API = Set.of(
      "dev.chorus.node.ChorusNode",
      "dev.chorus.node.NodeConfig",
      "dev.chorus.node.NodeListener",
      "dev.chorus.node.NodeStats",
      "dev.chorus.node.PlayedBytes",
      "dev.chorus.node.SwarmConfig",
      "dev.chorus.node.TrackStream",
      "dev.chorus.node.stream.StreamServer");

  private static final JavaClasses NODE = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("dev.chorus.node");

  @Test
  void publicTopLevelTypesOutsideInternalAreTheDocumentedApi() {
    Set<String> publicOutsideInternal = new TreeSet<>();
    for (JavaClass c : NODE) {
      if (c.isTopLevelClass() && c.getModifiers().contains(JavaModifier.PUBLIC)
          && !c.getPackageName().startsWith("dev.chorus.node.internal")) {
        publicOutsideInternal.add(c.getName());
      }
    }
    assertEquals(new TreeSet<>(DOCUMENTED_API), publicOutsideInternal);
  }

  @Test
  void theApiExposesNoInternalType() {
    List<String> leaks = new ArrayList<>();
    for (JavaClass c : NODE) {
      if (!isApi(c)) {
        continue;
      }
      for (JavaCodeUnit unit : c.getCodeUnits()) {
        if (visible(unit.getModifiers()) && !unit.getName().equals("<clinit>")) {
          Stream.concat(Stream.of(unit.getRawReturnType()), unit.getRawParameterTypes().stream())
              .filter(NodeApiSurfaceTest::isInternal)
              .forEach(t -> leaks.add(unit.getFullName() + " uses " + t.getName()));
          unit.getThrowsClause().getTypes().stream().filter(NodeApiSurfaceTest::isInternal)
              .forEach(t -> leaks.add(unit.getFullName() + " throws " + t.getName()));
        }
      }
      for (JavaField f : c.getFields()) {
        if (visible(f.getModifiers()) && isInternal(f.getRawType())) {
          leaks.add(f.getFullName() + " is " + f.getRawType().getName());
        }
      }
      c.getRawSuperclass().filter(NodeApiSurfaceTest::isInternal)
          .ifPresent(s -> leaks.add(c.getName() + " extends " + s.getName()));
      c.getRawInterfaces().stream().filter(NodeApiSurfaceTest::isInternal)
          .forEach(i -> leaks.add(c.getName() + " implements " + i.getName()));
    }
    assertEquals(List.of(), leaks);
  }

  /** A documented type, or a public nested type of one (such as NodeConfig.Builder). */
  private static boolean isApi(JavaClass c) {
    JavaClass top = c;
    while (top.getEnclosingClass().isPresent()) {
      if (!top.getModifiers().contains(JavaModifier.PUBLIC)) {
        return false;
      }
      top = top.getEnclosingClass().get();
    }
    return DOCUMENTED_API.contains(top.getName());
  }

  private static boolean visible(Set<JavaModifier> modifiers) {
    return modifiers.contains(JavaModifier.PUBLIC) || modifiers.contains(JavaModifier.PROTECTED);
  }

  private static boolean isInternal(JavaClass type) {
    JavaClass base = type.isArray() ? type.getBaseComponentType() : type;
    return base.getPackageName().startsWith("dev.chorus.node.internal");
  }
}
