package org.lafsrepair.backend.disk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import java.util.List;
import org.lafsrepair.spi.CorruptContainerException;
import org.lafsrepair.spi.ShareInfo;
import org.lafsrepair.spi.ShareKind;
import org.lafsrepair.spi.ShareNumber;
import org.lafsrepair.spi.StorageException;
import org.lafsrepair.spi.StorageIndex;

/** Hostile bytes never make the container parsers (or the server reading them) throw anything but typed exceptions. */
class ContainerPropertiesTest {
  private static Path dir;
  private static DiskStorageServer server;
  private static final StorageIndex SI = StorageIndex.of(new byte[16]);

  @BeforeContainer
  static void open() throws Exception {
    dir = Files.createTempDirectory("lafs-props");
    server = DiskStorageServer.open(dir);
  }

  @AfterContainer
  static void close() throws Exception {
    server.close();
    try (var walk = Files.walk(dir)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Provide
  Arbitrary<byte[]> hostileImmutable() {
    Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
    Arbitrary<byte[]> plausible = Combinators.combine(
            Arbitraries.of(1, 2, 0, 3, -1), Arbitraries.integers(), Arbitraries.integers().between(-1, 10),
            Arbitraries.bytes().array(byte[].class).ofMaxSize(300))
        .as((v, size, leases, body) -> ByteBuffer.allocate(12 + body.length)
            .putInt(v).putInt(size).putInt(leases).put(body).array());
    return Arbitraries.oneOf(random, plausible);
  }

  @Provide
  Arbitrary<byte[]> hostileMutable() {
    return Combinators.combine(
            Arbitraries.of(MutableContainer.MAGIC_V1, MutableContainer.MAGIC_V2),
            Arbitraries.longs(), Arbitraries.longs().between(-10, 2000),
            Arbitraries.integers().between(0, 700),
            Arbitraries.bytes().array(byte[].class).ofMaxSize(40),
            Arbitraries.integers().between(-1, 5))
        .as((magic, dataLength, elo, size, tail, count) -> {
          ByteBuffer b = ByteBuffer.allocate(Math.max(100, size) + tail.length + 4);
          b.put(magic).put(new byte[52]).putLong(dataLength).putLong(elo);
          if (elo >= 0 && elo + 4 <= b.capacity()) {
            b.putInt((int) (long) elo, count);
          }
          b.position(b.capacity() - tail.length);
          b.put(tail);
          return b.array();
        });
  }

  @Property(tries = 500)
  void immutableParserOnlyEverReportsCorruption(@ForAll("hostileImmutable") byte[] bytes,
      @ForAll @IntRange(min = 0, max = 400) int offset) throws Exception {
    try (BytesChannel ch = new BytesChannel(bytes)) {
      ImmutableContainer.Header h = ImmutableContainer.parse(ch, "prop");
      assertTrue(h.dataLength() >= 0 && h.dataLength() <= bytes.length - 12);
      ByteBuffer b = ImmutableContainer.read(ch, h, offset, 64);
      assertTrue(b.remaining() <= 64);
      ImmutableContainer.readLeases(ch, h, "prop");
    } catch (CorruptContainerException expected) {
      assertTrue(expected.getMessage().startsWith("prop"), "messages say where");
    }
  }

  @Property(tries = 500)
  void mutableParserOnlyEverReportsCorruption(@ForAll("hostileMutable") byte[] bytes,
      @ForAll @IntRange(min = 0, max = 800) int offset) throws Exception {
    try (BytesChannel ch = new BytesChannel(bytes)) {
      MutableContainer.Header h = MutableContainer.parse(ch, "prop");
      assertTrue(MutableContainer.DATA_OFFSET + h.dataLength() <= bytes.length);
      assertTrue(h.end() <= bytes.length);
      ByteBuffer b = MutableContainer.read(ch, h, offset, 64);
      assertTrue(b.remaining() <= 64);
      MutableContainer.leaseCount(ch, h);
    } catch (CorruptContainerException expected) {
      assertTrue(expected.getMessage().startsWith("prop"), "messages say where");
    }
  }

  @Property(tries = 150)
  void serverReadsOfHostileFilesFailTyped(@ForAll("anyContainer") byte[] bytes) throws Exception {
    Path bucket = dir.resolve("storage/shares").resolve(SI.prefix()).resolve(SI.toBase32());
    Files.createDirectories(bucket);
    Files.write(bucket.resolve("3"), bytes);
    assertEquals(1, server.listShares(SI).size(), "a damaged share is still listed");
    try {
      server.read(SI, ShareNumber.of(3), 0, 100);
      server.readVectors(SI, java.util.Set.of(), java.util.List.of(new org.lafsrepair.spi.ReadVector(5, 10)));
    } catch (CorruptContainerException expected) {
      // typed, as required
    } catch (StorageException other) {
      throw new AssertionError("hostile container must read as corrupt, got " + other, other);
    }
  }

  /** A well-formed container of either kind, and what a listing must say of it. */
  record Wellformed(byte[] bytes, ShareKind kind, long dataLength) {}

  @Provide
  Arbitrary<Wellformed> wellformed() {
    Arbitrary<Wellformed> immutable = Combinators.combine(
            Arbitraries.of(1, 2), Arbitraries.integers(), Arbitraries.integers().between(0, 4),
            Arbitraries.integers().between(0, 2000))
        .as((v, legacy, leases, len) -> new Wellformed(ByteBuffer.allocate(12 + len + 72 * leases)
            .putInt(v).putInt(legacy).putInt(leases).array(), ShareKind.IMMUTABLE, len));
    Arbitrary<Wellformed> mutable = Combinators.combine(
            Arbitraries.of(MutableContainer.MAGIC_V1, MutableContainer.MAGIC_V2),
            Arbitraries.integers().between(0, 2000), Arbitraries.integers().between(0, 3),
            Arbitraries.integers().between(0, 50))
        .as((magic, len, extraLeases, gap) -> {
          long elo = MutableContainer.DATA_OFFSET + len + gap;
          ByteBuffer b = ByteBuffer.allocate((int) elo + 4 + extraLeases * Leases.MUTABLE_LEASE_SIZE);
          b.put(magic).put(new byte[52]).putLong(len).putLong(elo);
          b.putInt((int) elo, extraLeases);
          return new Wellformed(b.array(), ShareKind.MUTABLE, len);
        });
    return Arbitraries.oneOf(immutable, mutable);
  }

  @Property(tries = 150)
  void listingReportsKindAndDataLengthAsOnDisk(@ForAll("wellformed") Wellformed c) throws Exception {
    Path bucket = dir.resolve("storage/shares").resolve(SI.prefix()).resolve(SI.toBase32());
    Files.createDirectories(bucket);
    Files.write(bucket.resolve("3"), c.bytes());
    assertEquals(List.of(new ShareInfo(ShareNumber.of(3), c.kind(), c.dataLength())), server.listShares(SI));
  }

  @Provide
  Arbitrary<byte[]> anyContainer() {
    return Arbitraries.oneOf(hostileImmutable(), hostileMutable());
  }
}
