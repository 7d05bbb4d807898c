package dev.chorus.node.internal.core;

/** Where the bytes of a chunk came from. */
public enum Source {
  /** The node's own cache. */
  CACHE,
  /** Another node. */
  PEER,
  /** The CDN or origin. */
  CDN
}
