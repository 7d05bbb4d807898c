/**
 * {@code ./chorus demo}: real nodes, a tracker and an origin in one process on loopback, a
 * listening workload, live progress, {@code /metrics}, and a table of where the bytes came from.
 * Entry point {@link dev.chorus.demo.DemoMain}; in code, {@link
 * dev.chorus.demo.Demo#run}.
 */
package dev.chorus.demo;
