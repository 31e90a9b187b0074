/**
 * zfec-compatible Reed-Solomon erasure coding ({@link org.lafsrepair.codec.ErasureCodec}).
 *
 * <p>Kernels: the codec computes with one of three interchangeable GF(2^8) kernels that give
 * identical bytes. {@code vector} (Java Vector API split-nibble tables) is used when the JVM is
 * started with {@code --add-modules jdk.incubator.vector}; otherwise {@code swar} (plain Java on
 * 64-bit words); {@code scalar} (table lookups) is the reference. Override with {@code
 * -Dlafsrepair.codec.kernel=scalar|swar|vector|auto} or {@link
 * org.lafsrepair.codec.ErasureCodec#of(int, int, org.lafsrepair.codec.CodecKernel)}. The vector
 * kernel needs a C2 warm-up of several seconds on JDK 17 before it reaches full speed; JDK 25 is
 * both faster and quicker to warm up. See {@code benchmarks/README.md} for measured speeds.
 */
package org.lafsrepair.codec;
