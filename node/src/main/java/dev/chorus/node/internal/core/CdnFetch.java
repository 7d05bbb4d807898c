package dev.chorus.node.internal.core;

/** A range read from the CDN covering chunks [first, end). */
final class CdnFetch {
  final long id;
  final Download download;
  final int first;
  final int end;

  CdnFetch(long id, Download download, int first, int count) {
    this.id = id;
    this.download = download;
    this.first = first;
    this.end = first + count;
  }
}
