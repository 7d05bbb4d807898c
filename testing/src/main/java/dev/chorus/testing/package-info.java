/**
 * What the modules' tests share: {@link dev.chorus.testing.ExternalTool} (a missing program skips
 * the test, or fails it with CI=true), {@link dev.chorus.testing.TestServers} (redis-server, a
 * Redis Cluster, nginx) and {@link dev.chorus.testing.RedisFixture} (one of them for a test
 * class), {@link dev.chorus.testing.NativeLibrary} (native code bundled for some platforms: fails
 * where it should load, skips elsewhere), {@link dev.chorus.testing.Await}. Netty leak detection is in {@code
 * dev.chorus.testing.leaks}; the servers themselves, which need only the JDK and which the
 * benchmarks use too, are in {@code dev.chorus.testing.process}.
 */
package dev.chorus.testing;
