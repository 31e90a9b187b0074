package org.lafsrepair.service;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/** Crash-safe file writes: temp file, optional fsync, atomic rename, optional directory fsync. */
final class AtomicFiles {
  private AtomicFiles() {}

  /**
   * Replaces {@code target} with {@code data} so that readers (and a restart after kill -9) see
   * either the old or the new content. With {@code durable}, also survives power loss.
   */
  static void write(Path target, byte[] data, boolean durable) throws IOException {
    Path tmp = target.resolveSibling(
        "." + target.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong())
            + ".tmp");
    try {
      try (FileChannel ch =
          FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        ByteBuffer buf = ByteBuffer.wrap(data);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        if (durable) {
          ch.force(true);
        }
      }
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
    if (durable) {
      fsyncDirectory(target.getParent());
    }
  }

  /** Makes a directory's entries (creations, renames, deletions) durable. */
  static void fsyncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // Some platforms cannot open or sync directories; rename is still atomic there, only the
      // power-loss guarantee weakens, so this is not worth failing the work for.
      if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("win")) {
        throw e;
      }
    }
  }

  /** Reads at most {@code max} bytes of {@code file}; throws if it is larger. */
  static byte[] readBounded(Path file, long max) throws IOException, TooLargeException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size > max) {
        throw new TooLargeException(size);
      }
      ByteBuffer buf = ByteBuffer.allocate((int) size);
      while (buf.hasRemaining()) {
        if (ch.read(buf) < 0) {
          break;
        }
      }
      if (ch.read(ByteBuffer.allocate(1)) > 0) {
        // The file grew while we read it: a writer is not using write-then-rename.
        throw new TooLargeException(size + 1);
      }
      buf.flip();
      byte[] out = new byte[buf.remaining()];
      buf.get(out);
      return out;
    }
  }

  /** A file larger than the caller allows. */
  static final class TooLargeException extends Exception {
    private static final long serialVersionUID = 1L;
    final long size;

    TooLargeException(long size) {
      super("file is " + size + " bytes");
      this.size = size;
    }
  }
}
