package org.lafsrepair.internal.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.lafsrepair.codec.CodecKernel;
import org.lafsrepair.codec.ErasureCodec;
import org.junit.jupiter.api.Test;

/** Runs both with and without {@code --add-modules jdk.incubator.vector} (see core/pom.xml). */
class KernelSelectionTest {
  private static final boolean MODULE_PRESENT =
      ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

  @Test
  void vectorKernelIsAvailableExactlyWhenTheModuleIsLoaded() {
    assertEquals(MODULE_PRESENT, Kernels.vectorAvailable());
  }

  @Test
  void autoPicksVectorWhenPresentElseSwar() {
    String forced = System.getProperty(Kernels.PROPERTY);
    if (forced == null || forced.equals("auto")) {
      assertEquals(MODULE_PRESENT ? "vector" : "swar", ErasureCodec.of(3, 10).kernelName());
    } else {
      assertEquals(
          forced.equals("vector") && !MODULE_PRESENT ? "swar" : forced,
          ErasureCodec.of(3, 10).kernelName());
    }
  }

  @Test
  void explicitVectorChoiceFailsClearlyWithoutTheModule() {
    if (MODULE_PRESENT) {
      assertEquals("vector", ErasureCodec.of(3, 10, CodecKernel.VECTOR).kernelName());
    } else {
      assertThrows(
          UnsupportedOperationException.class, () -> ErasureCodec.of(3, 10, CodecKernel.VECTOR));
    }
  }

  @Test
  void scalarAndSwarAreAlwaysThere() {
    assertSame(ScalarKernel.INSTANCE, Kernels.get(CodecKernel.SCALAR));
    assertSame(SwarKernel.INSTANCE, Kernels.get(CodecKernel.SWAR));
  }
}
