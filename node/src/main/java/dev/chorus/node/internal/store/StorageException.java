package dev.chorus.node.internal.store;

/** A backend failure (wraps e.g. a RocksDBException); never leaves the store. */
final class StorageException extends Exception {
  private static final long serialVersionUID = 1L;

  StorageException(String message, Throwable cause) {
    super(message, cause);
  }
}
