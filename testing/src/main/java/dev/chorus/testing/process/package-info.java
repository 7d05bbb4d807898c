/**
 * Server programs started for tests and benchmarks, with the JDK alone (no JUnit, no Netty, no
 * Chorus module): {@link dev.chorus.testing.process.Programs} finds them, {@link
 * dev.chorus.testing.process.ServerProcess} runs one in a temporary directory on a free loopback
 * port ({@link dev.chorus.testing.process.FreePorts}) and stops it, and {@link
 * dev.chorus.testing.process.RedisServer}, {@link dev.chorus.testing.process.RedisCluster} and
 * {@link dev.chorus.testing.process.NginxServer} are built on it.
 */
package dev.chorus.testing.process;
