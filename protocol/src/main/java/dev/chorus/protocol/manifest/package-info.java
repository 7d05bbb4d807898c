/**
 * Signed track manifests: {@link dev.chorus.protocol.manifest.TrackManifest} (build, sign, read),
 * {@link dev.chorus.protocol.manifest.ManifestVerifier} (check a manifest against a track id and
 * chunks against a manifest), {@link dev.chorus.protocol.manifest.TrackId} and the publisher's
 * Ed25519 keys. The byte layout, the chain of trust and the limits are described in {@code
 * protocol/docs/manifest.md}. No I/O, threads or clocks.
 */
package dev.chorus.protocol.manifest;
