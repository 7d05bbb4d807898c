package dev.chorus.simulator.workload;

import java.util.SplittableRandom;

/**
 * The workload's parts built from one configuration. The catalogue's durations and the popularity
 * permutation are drawn from {@code rng} (split once for each, so that adding draws to one does not
 * shift the other); the samplers take their own streams at use.
 */
public final class Workload {
  private final WorkloadConfig config;
  private final Catalogue catalogue;
  private final ZipfPopularity popularity;
  private final SessionModel sessions;
  private final Diurnal diurnal;
  private final Churn churn;
  private final CacheSizes cacheSizes;

  public Workload(WorkloadConfig config, SplittableRandom rng) {
    this.config = config;
    SplittableRandom catalogueRng = rng.split();
    SplittableRandom popularityRng = rng.split();
    this.catalogue = new Catalogue(config, catalogueRng);
    this.popularity = ZipfPopularity.of(config, popularityRng);
    this.sessions = new SessionModel(config, catalogue, popularity);
    this.diurnal = Diurnal.of(config);
    this.churn = Churn.of(config, diurnal);
    this.cacheSizes = CacheSizes.of(config);
  }

  public WorkloadConfig config() {
    return config;
  }

  public Catalogue catalogue() {
    return catalogue;
  }

  public ZipfPopularity popularity() {
    return popularity;
  }

  public SessionModel sessions() {
    return sessions;
  }

  public Diurnal diurnal() {
    return diurnal;
  }

  public Churn churn() {
    return churn;
  }

  public CacheSizes cacheSizes() {
    return cacheSizes;
  }
}
