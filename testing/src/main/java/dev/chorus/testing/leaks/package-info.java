/**
 * Netty buffer leak detection for tests: {@link dev.chorus.testing.leaks.LeakDetectionSession}
 * installs a recording leak detector at level PARANOID before any buffer class loads, and {@link
 * dev.chorus.testing.leaks.NoLeaks} fails a test after which a leaked buffer is found.
 */
package dev.chorus.testing.leaks;
