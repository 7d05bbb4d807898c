/**
 * A read-only look inside a running {@link dev.chorus.node.ChorusNode}, for the node's own page
 * ({@code dev.chorus.node.stream}) and the demo: {@link NodeInspection#of} gives a node's {@link
 * NodeInspector}. Internal: no compatibility promise; an embedder uses {@code ChorusNode.stats()}.
 */
package dev.chorus.node.internal.inspect;
