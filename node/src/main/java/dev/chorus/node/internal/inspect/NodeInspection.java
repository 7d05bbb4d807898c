package dev.chorus.node.internal.inspect;

import dev.chorus.node.ChorusNode;
import java.util.Objects;
import java.util.function.Function;

/**
 * The bridge from a {@link ChorusNode} to its {@link NodeInspector}, without a public method on
 * the node: {@code ChorusNode} installs the accessor once, when its class is initialised (so
 * before any node exists), and the stream endpoint and the demo look nodes up here.
 */
public final class NodeInspection {
  private static volatile Function<ChorusNode, NodeInspector> access;

  private NodeInspection() {}

  /** Called once by {@code ChorusNode}'s class initialiser; a second call fails. */
  public static synchronized void install(Function<ChorusNode, NodeInspector> accessor) {
    if (access != null) {
      throw new IllegalStateException("the node inspector accessor is installed already");
    }
    access = Objects.requireNonNull(accessor, "accessor");
  }

  /** The inspector of {@code node}. */
  public static NodeInspector of(ChorusNode node) {
    Objects.requireNonNull(node, "node");
    return access.apply(node); // installed: ChorusNode's class is initialised before a node exists
  }
}
