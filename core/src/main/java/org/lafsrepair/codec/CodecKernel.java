package org.lafsrepair.codec;

/**
 * Which GF(2^8) kernel an {@link ErasureCodec} computes with. All kernels produce identical bytes;
 * they differ only in speed and in what the running JVM offers.
 */
public enum CodecKernel {
  /**
   * The default: the system property {@code lafsrepair.codec.kernel} ({@code scalar}, {@code
   * swar}, {@code vector} or {@code auto}) if set, else the fastest available kernel: {@link
   * #VECTOR} when the JVM was started with {@code --add-modules jdk.incubator.vector}, otherwise
   * {@link #SWAR}.
   */
  AUTO,
  /** One 64 KiB table lookup per byte and coefficient: slow, simple, always available. */
  SCALAR,
  /** Plain Java on 64-bit words (bit-sliced doubling); always available, Java 17 friendly. */
  SWAR,
  /**
   * Java Vector API split-nibble tables; only when {@code jdk.incubator.vector} is in the boot
   * layer.
   */
  VECTOR
}
