package org.lafsrepair.mutable;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.List;
import org.lafsrepair.internal.crypto.AesCtr;
import org.lafsrepair.internal.crypto.MutableKeys;
import org.lafsrepair.spi.StorageServer;

/**
 * Downloads the best recoverable version of a mutable file (SDMF or MDMF) with a read or write
 * cap: every block used is checked against its share's block tree, chain and signed root before
 * it is decoded, so only authenticated ciphertext is ever decrypted and written. Stateless.
 */
public final class MutableDownloader {
  private MutableDownloader() {}

  /** The plaintext of the best recoverable version. */
  public static byte[] download(MutableFileKeys keys, List<? extends StorageServer> servers)
      throws UnrecoverableVersionException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      download(keys, servers, out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /**
   * Streams the plaintext of the best recoverable version to {@code out}, segment by segment.
   *
   * @throws IllegalArgumentException if {@code keys} holds no readkey
   * @throws UnrecoverableVersionException if no version has k readable good shares (nothing
   *     unverified is ever written; a failure midway leaves a prefix of the plaintext written)
   */
  public static MutableServerMap.Version download(
      MutableFileKeys keys, List<? extends StorageServer> servers, OutputStream out)
      throws UnrecoverableVersionException, IOException {
    byte[] readkey = keys.readkey().orElseThrow(
        () -> new IllegalArgumentException("downloading needs a read or write cap"));
    MutableServerMap map = MutableServerMap.build(keys, servers, MutableServerMap.Mode.CHECK);
    MutableServerMap.Version best = map.best().orElseThrow(() -> new UnrecoverableVersionException(
        "no recoverable version of " + keys.storageIndex() + ": " + map.summary()));
    write(new VersionReader(map, best.prefix()), readkey, out);
    return best;
  }

  static void write(VersionReader reader, byte[] readkey, OutputStream out)
      throws UnrecoverableVersionException, IOException {
    SignedPrefix p = reader.prefix();
    for (int i = 0; i < p.numSegments(); i++) {
      VersionReader.Segment s = reader.read(i);
      int length = p.segmentLength(i);
      byte[] crypt = new byte[length];
      int at = 0;
      for (byte[] block : s.primary()) {
        int n = Math.min(block.length, length - at);
        System.arraycopy(block, 0, crypt, at, n);
        at += n;
      }
      out.write(AesCtr.apply(MutableKeys.datakey(s.salt(), readkey), crypt));
    }
  }
}
