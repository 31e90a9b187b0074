package org.lafsrepair.backend.disk;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.lafsrepair.spi.CorruptContainerException;
import org.lafsrepair.spi.OutOfSpaceException;
import org.lafsrepair.spi.ShareNotFoundException;
import org.lafsrepair.spi.StorageException;

/** File-system helpers shared by the disk backend: exact reads, fsync of directories, error mapping. */
final class DiskIo {
  private DiskIo() {}

  /** Reads exactly {@code n} bytes at {@code pos}, or fails as corrupt naming {@code what}. */
  static byte[] readExactly(SeekableByteChannel ch, long pos, int n, String what)
      throws IOException, CorruptContainerException {
    return readExactly(ch, pos, n, () -> what);
  }

  /** As {@link #readExactly(SeekableByteChannel, long, int, String)}, naming the file only on failure. */
  static byte[] readExactly(SeekableByteChannel ch, long pos, int n, Supplier<String> what)
      throws IOException, CorruptContainerException {
    byte[] out = new byte[n];
    ByteBuffer b = ByteBuffer.wrap(out);
    readFully(ch, pos, b);
    if (b.hasRemaining()) {
      throw new CorruptContainerException(
          what.get() + ": container ends at " + (pos + b.position()) + ", needed " + (pos + n));
    }
    return out;
  }

  /** Reads until {@code dst} is full or the end of the channel. */
  static void readFully(SeekableByteChannel ch, long pos, ByteBuffer dst) throws IOException {
    long p = pos;
    while (dst.hasRemaining()) {
      int n;
      if (ch instanceof FileChannel fc) {
        n = fc.read(dst, p);
      } else {
        ch.position(p);
        n = ch.read(dst);
      }
      if (n < 0) {
        return;
      }
      p += n;
    }
  }

  static void writeFully(FileChannel ch, long pos, ByteBuffer src) throws IOException {
    long p = pos;
    while (src.hasRemaining()) {
      p += ch.write(src, p);
    }
  }

  /** Makes a directory entry (create, rename, delete) durable. */
  static void fsyncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // Some file systems refuse to open directories for reading; nothing more can be done there.
      if (!Files.isDirectory(dir)) {
        throw e;
      }
    }
  }

  /**
   * Fsyncs several directories at once: each fsync is mostly a wait for the device to flush, so
   * running them together costs about one flush instead of one per directory.
   */
  static void fsyncDirectories(List<Path> dirs, Executor executor) throws IOException {
    if (dirs.size() == 1) {
      fsyncDirectory(dirs.get(0));
      return;
    }
    List<CompletableFuture<Void>> others = new ArrayList<>();
    for (Path d : dirs.subList(1, dirs.size())) {
      others.add(CompletableFuture.runAsync(() -> {
        try {
          fsyncDirectory(d);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }, executor));
    }
    fsyncDirectory(dirs.get(0));
    for (CompletableFuture<Void> f : others) {
      try {
        f.join();
      } catch (CompletionException e) {
        if (e.getCause() instanceof UncheckedIOException u) {
          throw u.getCause();
        }
        throw new IOException("directory fsync failed", e.getCause());
      }
    }
  }

  /** Maps an I/O failure to the SPI's typed exceptions. */
  static StorageException map(IOException e, String what) {
    if (e instanceof NoSuchFileException) {
      return new ShareNotFoundException(what + ": " + e.getMessage(), e);
    }
    if (isOutOfSpace(e)) {
      return new OutOfSpaceException(what + ": disk full (" + e.getMessage() + ")", e);
    }
    return new StorageException(what + ": I/O error: " + e, e);
  }

  static boolean isOutOfSpace(IOException e) {
    String m = e instanceof FileSystemException fse ? fse.getReason() : e.getMessage();
    if (m == null) {
      m = e.getMessage();
    }
    if (m == null) {
      return false;
    }
    String l = m.toLowerCase(Locale.ROOT);
    return l.contains("no space left") || l.contains("disk quota exceeded") || l.contains("not enough space");
  }
}
