/**
 * The simulator's discrete-event engine: {@link dev.chorus.simulator.engine.Engine} (clock, loop,
 * counters), {@link dev.chorus.simulator.engine.EventQueue} (a 4-ary heap on primitive arrays,
 * FIFO among equal times) and {@link dev.chorus.simulator.engine.RandomStreams} (one reproducible
 * random stream per concern). Single-threaded and deterministic: the same model, seed and build
 * give bit-identical runs. See {@code simulator/docs/engine.md}.
 */
package dev.chorus.simulator.engine;
