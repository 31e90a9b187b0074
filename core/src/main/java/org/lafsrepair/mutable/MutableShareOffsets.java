package org.lafsrepair.mutable;

import org.lafsrepair.cap.MutableFormat;
/**
 * Where each region of a mutable share starts, as share-data offsets. SDMF has no separate
 * verification-key end (the key runs up to the signature), so {@code verificationKeyEnd ==
 * signature} there. The table is not signed: the parser checks it against the signed parameters.
 */
public record MutableShareOffsets(
    long verificationKey,
    long verificationKeyEnd,
    long signature,
    long shareHashChain,
    long blockHashTree,
    long shareData,
    long encPrivkey,
    long eof) {

  /** Start of share data in every MDMF share Tahoe writes: 123 + 1220 + 260 + 292 + 8·34. */
  public static final long MDMF_SHARE_DATA = 2167;
  /** SDMF header length: signed prefix plus the {@code >LLLLQQ} offsets table. */
  public static final int SDMF_HEADER_LENGTH = 107;
  /** MDMF header length: signed prefix plus eight {@code Q} offsets. */
  public static final int MDMF_HEADER_LENGTH = 123;

  /** The layout Tahoe's publisher produces for these region lengths. */
  static MutableShareOffsets canonical(
      SignedPrefix prefix, int vkLength, int sigLength, int chainLength, int treeLength,
      int encLength) {
    if (prefix.format() == MutableFormat.SDMF) {
      long vk = SDMF_HEADER_LENGTH;
      long sig = vk + vkLength;
      long chain = sig + sigLength;
      long tree = chain + chainLength;
      long data = tree + treeLength;
      long enc = data + prefix.shareDataLength();
      return new MutableShareOffsets(vk, sig, sig, chain, tree, data, enc, enc + encLength);
    }
    long enc = MDMF_HEADER_LENGTH;
    long chain = enc + encLength;
    long sig = chain + chainLength;
    long vk = sig + sigLength;
    long vkEnd = vk + vkLength;
    if (vkEnd > MDMF_SHARE_DATA) {
      throw new IllegalArgumentException(
          "key, signature and chain (" + (vkEnd - enc) + " bytes) overflow MDMF's reserved space");
    }
    long tree = MDMF_SHARE_DATA + prefix.shareDataLength();
    return new MutableShareOffsets(vk, vkEnd, sig, chain, tree, MDMF_SHARE_DATA, enc,
        tree + treeLength);
  }

  /** Header length for a format. */
  static int headerLength(MutableFormat format) {
    return format == MutableFormat.SDMF ? SDMF_HEADER_LENGTH : MDMF_HEADER_LENGTH;
  }
}
