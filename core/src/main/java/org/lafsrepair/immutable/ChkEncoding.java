package org.lafsrepair.immutable;

import java.util.Optional;
import org.lafsrepair.cap.Cap;
import org.lafsrepair.cap.ChkReadCap;
import org.lafsrepair.cap.ChkVerifyCap;
import org.lafsrepair.cap.ImmutableBytes;
import org.lafsrepair.cap.LiteralCap;
import org.lafsrepair.internal.crypto.ChkKeys;
import org.lafsrepair.spi.StorageIndex;

/**
 * What {@link ChkEncoder} produced: either a literal file (its bytes are the cap) or a CHK file
 * with its key, geometry, UEB (whose hash is in the caps) and share length. Immutable.
 */
public final class ChkEncoding {
  private final byte[] literal;
  private final byte[] key;
  private final ChkGeometry geometry;
  private final UriExtension ueb;
  private final long shareLength;

  private ChkEncoding(
      byte[] literal, byte[] key, ChkGeometry geometry, UriExtension ueb, long shareLength) {
    this.literal = literal;
    this.key = key;
    this.geometry = geometry;
    this.ueb = ueb;
    this.shareLength = shareLength;
  }

  static ChkEncoding literal(byte[] data) {
    return new ChkEncoding(data.clone(), null, null, null, 0);
  }

  static ChkEncoding chk(byte[] key, ChkGeometry g, UriExtension ueb, long shareLength) {
    return new ChkEncoding(null, key.clone(), g, ueb, shareLength);
  }

  /** The read cap: a {@link LiteralCap} for small files, else a {@link ChkReadCap}. */
  public Cap cap() {
    if (literal != null) {
      return new LiteralCap(ImmutableBytes.copyOf(literal));
    }
    return readCap();
  }

  /** The CHK read cap. */
  public ChkReadCap readCap() {
    requireChk();
    return new ChkReadCap(
        ImmutableBytes.copyOf(key),
        ImmutableBytes.copyOf(ueb.hash()),
        geometry.k(),
        geometry.n(),
        geometry.size());
  }

  /** The CHK verify cap. */
  public ChkVerifyCap verifyCap() {
    return readCap().toVerifyCap();
  }

  public boolean isLiteral() {
    return literal != null;
  }

  /** The file's bytes, for a literal file. */
  public Optional<byte[]> literalData() {
    return literal == null ? Optional.empty() : Optional.of(literal.clone());
  }

  /** The AES key (read cap key). */
  public byte[] key() {
    requireChk();
    return key.clone();
  }

  public StorageIndex storageIndex() {
    requireChk();
    return ChkKeys.storageIndex(key);
  }

  public ChkGeometry geometry() {
    requireChk();
    return geometry;
  }

  public UriExtension uriExtension() {
    requireChk();
    return ueb;
  }

  /** {@code H(uri_extension; UEB)}, the cap's second field. */
  public byte[] uebHash() {
    requireChk();
    return ueb.hash();
  }

  /** Length of every share's data (header to UEB end). */
  public long shareLength() {
    requireChk();
    return shareLength;
  }

  private void requireChk() {
    if (literal != null) {
      throw new IllegalStateException("literal file");
    }
  }
}
