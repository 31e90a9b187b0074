package org.lafsrepair.internal.codec;

import java.util.Locale;
import java.util.Optional;
import org.lafsrepair.codec.CodecKernel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves {@link CodecKernel} choices to kernels. The vector kernel is compiled separately
 * against {@code jdk.incubator.vector} and is only loaded, reflectively, when that module is in
 * the boot layer, so the library runs on a plain Java 17 JVM without {@code --add-modules}.
 */
public final class Kernels {
  /** System property that overrides {@link CodecKernel#AUTO}. */
  public static final String PROPERTY = "lafsrepair.codec.kernel";

  private static final Logger log = LoggerFactory.getLogger(Kernels.class);
  private static final String VECTOR_CLASS = "org.lafsrepair.internal.codec.VectorKernel";

  private Kernels() {}

  private static final class Holder {
    static final Optional<Kernel> VECTOR = loadVector();
    static final Kernel AUTO = resolveAuto();
  }

  /**
   * The kernel for a choice.
   *
   * @throws UnsupportedOperationException if {@link CodecKernel#VECTOR} is asked for and the JVM
   *     has no {@code jdk.incubator.vector}
   */
  public static Kernel get(CodecKernel choice) {
    switch (choice) {
      case SCALAR:
        return ScalarKernel.INSTANCE;
      case SWAR:
        return SwarKernel.INSTANCE;
      case VECTOR:
        return Holder.VECTOR.orElseThrow(
            () ->
                new UnsupportedOperationException(
                    "vector kernel unavailable: start the JVM with --add-modules"
                        + " jdk.incubator.vector"));
      case AUTO:
        return Holder.AUTO;
      default:
        throw new IllegalStateException("unknown kernel " + choice);
    }
  }

  /** Whether the Vector API kernel can be used in this JVM. */
  public static boolean vectorAvailable() {
    return Holder.VECTOR.isPresent();
  }

  private static Kernel resolveAuto() {
    String prop = System.getProperty(PROPERTY, "auto").trim().toLowerCase(Locale.ROOT);
    Kernel k;
    switch (prop) {
      case "scalar":
        k = ScalarKernel.INSTANCE;
        break;
      case "swar":
        k = SwarKernel.INSTANCE;
        break;
      case "vector":
        if (Holder.VECTOR.isPresent()) {
          k = Holder.VECTOR.get();
        } else {
          log.warn("{}=vector but jdk.incubator.vector is not available; using swar", PROPERTY);
          k = SwarKernel.INSTANCE;
        }
        break;
      case "auto":
        k = Holder.VECTOR.isPresent() ? Holder.VECTOR.get() : SwarKernel.INSTANCE;
        break;
      default:
        log.warn("unknown {}={}; using auto", PROPERTY, prop);
        k = Holder.VECTOR.isPresent() ? Holder.VECTOR.get() : SwarKernel.INSTANCE;
    }
    log.debug("erasure codec kernel: {}", k.name());
    return k;
  }

  private static Optional<Kernel> loadVector() {
    if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
      return Optional.empty();
    }
    try {
      Class<?> c = Class.forName(VECTOR_CLASS, true, Kernels.class.getClassLoader());
      Kernel k = (Kernel) c.getField("INSTANCE").get(null);
      if (!selfTest(k)) {
        log.warn("vector kernel failed its self-test; not using it");
        return Optional.empty();
      }
      return Optional.of(k);
    } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
      log.warn("vector kernel could not be loaded; falling back", e);
      return Optional.empty();
    }
  }

  /** Cheap guard against a JVM whose Vector API misbehaves: compare against the scalar oracle. */
  private static boolean selfTest(Kernel k) {
    int rows = 5;
    int cols = 3;
    int len = 200;
    int[][] m = new int[rows][cols];
    byte[][] in = new byte[cols][len];
    int seed = 0x1234567;
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        seed = seed * 1103515245 + 12345;
        m[r][c] = (seed >>> 16) & 0xFF;
      }
    }
    for (int c = 0; c < cols; c++) {
      for (int i = 0; i < len; i++) {
        seed = seed * 1103515245 + 12345;
        in[c][i] = (byte) (seed >>> 16);
      }
    }
    byte[][] a = new byte[rows][len];
    byte[][] b = new byte[rows][len];
    ScalarKernel.INSTANCE.prepare(m).apply(in, 0, a, 0, len);
    k.prepare(m).apply(in, 0, b, 0, len);
    return java.util.Arrays.deepEquals(a, b);
  }
}
