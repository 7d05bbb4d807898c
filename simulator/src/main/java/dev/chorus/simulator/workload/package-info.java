/**
 * The simulator's workload model: what a million listeners play and when. {@link
 * dev.chorus.simulator.workload.WorkloadConfig} holds every parameter (documented with its source
 * in {@code simulator/docs/workload.md}); {@link dev.chorus.simulator.workload.Workload} builds the
 * parts from it: the {@link dev.chorus.simulator.workload.Catalogue}, {@link
 * dev.chorus.simulator.workload.ZipfPopularity}, {@link
 * dev.chorus.simulator.workload.SessionModel}, {@link dev.chorus.simulator.workload.Diurnal}, {@link
 * dev.chorus.simulator.workload.Churn} and {@link dev.chorus.simulator.workload.CacheSizes}.
 *
 * <p>Everything here is pure and deterministic: no clock, no threads, no global state. Generators
 * take a caller-owned {@link java.util.SplittableRandom} (one stream per concern is the engine's
 * business) and times are {@code long} nanoseconds of simulated time, {@code 0} being midnight of
 * day one. Sampling paths are O(1) or O(log n) and allocate nothing; transcendental functions come
 * from {@link java.lang.StrictMath}, so that results are bit-identical across JVMs and machines.
 */
package dev.chorus.simulator.workload;
