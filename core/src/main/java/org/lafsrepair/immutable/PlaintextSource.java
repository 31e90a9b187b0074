package org.lafsrepair.immutable;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A plaintext that can be read more than once: convergent encryption hashes the whole file before
 * encrypting it, so the encoder reads it twice without holding it in memory. Every {@link #open}
 * must yield the same {@link #size} bytes; the encoder checks the length and the content hash of
 * the second pass.
 */
public interface PlaintextSource {
  /** The plaintext length in bytes. */
  long size() throws IOException;

  /** A fresh stream over the whole plaintext, from its first byte. */
  InputStream open() throws IOException;

  /** A file (its size is taken once, when the encoder starts). */
  static PlaintextSource of(Path file) {
    Objects.requireNonNull(file, "file");
    return new PlaintextSource() {
      @Override
      public long size() throws IOException {
        return Files.size(file);
      }

      @Override
      public InputStream open() throws IOException {
        return Files.newInputStream(file);
      }

      @Override
      public String toString() {
        return file.toString();
      }
    };
  }

  /** Bytes in memory (copied). */
  static PlaintextSource of(byte[] data) {
    byte[] copy = data.clone();
    return new PlaintextSource() {
      @Override
      public long size() {
        return copy.length;
      }

      @Override
      public InputStream open() {
        return new ByteArrayInputStream(copy);
      }
    };
  }

  /** A stream supplier that yields {@code size} identical bytes on every call. */
  static PlaintextSource of(long size, StreamOpener opener) {
    Objects.requireNonNull(opener, "opener");
    if (size < 0) {
      throw new IllegalArgumentException("negative size");
    }
    return new PlaintextSource() {
      @Override
      public long size() {
        return size;
      }

      @Override
      public InputStream open() throws IOException {
        return opener.open();
      }
    };
  }

  /** Opens a stream; may throw {@link IOException}. */
  @FunctionalInterface
  interface StreamOpener {
    InputStream open() throws IOException;
  }
}
