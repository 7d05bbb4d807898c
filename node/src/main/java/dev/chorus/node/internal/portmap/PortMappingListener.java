package dev.chorus.node.internal.portmap;

/** What {@link PortMapper} reports; called on its thread, in order. Return quickly, never throw. */
public interface PortMappingListener {
  PortMappingListener NONE = new PortMappingListener() {};

  /** A new mapping, or a renewal that changed the external address or port: announce this one. */
  default void mapped(Mapping mapping) {}

  /** The same mapping was renewed. */
  default void renewed(Mapping mapping) {}

  /** No protocol gave a mapping in this round; the node runs without one and tries again later. */
  default void failed(String why) {}

  /** The mapping held is gone: it expired unrenewed, or ({@code onClose}) was removed on close. */
  default void unmapped(Mapping mapping, boolean onClose, String why) {}
}
