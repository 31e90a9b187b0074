package org.lafsrepair.spi.memory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The paged store behaves exactly like a plain growable array with zero-filled gaps. */
class SparseBytesTest {
  /** A write ({@code data != null}) or a truncation to {@code offset}. */
  record Step(long offset, byte[] data) {}

  @Provide
  Arbitrary<List<Step>> steps() {
    Arbitrary<Step> write = Combinators.combine(
            Arbitraries.longs().between(0, 300_000),
            Arbitraries.bytes().array(byte[].class).ofMaxSize(70_000))
        .as(Step::new);
    Arbitrary<Step> truncate = Arbitraries.longs().between(0, 300_000).map(n -> new Step(n, null));
    return Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(4, write), net.jqwik.api.Tuple.of(1, truncate))
        .list().ofMaxSize(12);
  }

  @Property(tries = 100)
  void matchesAPlainArray(@ForAll("steps") List<Step> steps) {
    SparseBytes sparse = new SparseBytes();
    byte[] model = new byte[0];
    for (Step s : steps) {
      if (s.data() == null) {
        if (s.offset() < model.length) {
          model = Arrays.copyOf(model, (int) s.offset());
          sparse.setLength(s.offset());
        }
      } else {
        int end = (int) s.offset() + s.data().length;
        if (end > model.length) {
          model = Arrays.copyOf(model, end);
        }
        System.arraycopy(s.data(), 0, model, (int) s.offset(), s.data().length);
        sparse.write(s.offset(), ByteBuffer.wrap(s.data()));
      }
      assertEquals(model.length, sparse.length());
    }
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (long off = 0; off < model.length + 10; off += 50_000) {
      all.writeBytes(sparse.read(off, 50_000));
    }
    assertArrayEquals(model, all.toByteArray());
    assertArrayEquals(new byte[0], sparse.read(model.length, 10));
  }
}
