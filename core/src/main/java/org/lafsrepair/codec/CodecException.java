package org.lafsrepair.codec;

/**
 * Thrown when an {@link ErasureCodec} call is given input it cannot code: a wrong number of
 * blocks, blocks of unequal or wrong length, duplicate or out-of-range share numbers, or output
 * buffers that are too small. It extends {@link IllegalArgumentException} because every such case
 * is a caller error detected before any output is written.
 */
public class CodecException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public CodecException(String message) {
    super(message);
  }
}
