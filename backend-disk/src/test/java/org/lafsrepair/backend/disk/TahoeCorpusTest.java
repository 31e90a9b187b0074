package org.lafsrepair.backend.disk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.lafsrepair.spi.Base32;
import org.lafsrepair.spi.ImmutableUpload;
import org.lafsrepair.spi.LeaseSecrets;
import org.lafsrepair.spi.ShareInfo;
import org.lafsrepair.spi.ShareKind;
import org.lafsrepair.spi.ShareNumber;
import org.lafsrepair.spi.ShareTestAndWrite;
import org.lafsrepair.spi.StorageIndex;
import org.lafsrepair.spi.TestAndWriteResult;
import org.lafsrepair.spi.TestVector;
import org.lafsrepair.spi.WriteEnabler;
import org.lafsrepair.spi.WriteVector;
import org.lafsrepair.testing.SharedVectors;

/**
 * The disk backend against real Tahoe-LAFS 1.18 storage directories: it reads every share of the
 * corpus (both seqnums of mutable cases) exactly as {@code dump-share} parses it, and what it
 * writes is byte-identical to Tahoe's containers apart from lease secrets and expiry times.
 */
class TahoeCorpusTest {
  @TempDir Path temp;

  /** One share file of the corpus with what Tahoe's own parsers said about it. */
  record CorpusShare(String caseName, int seqnum, Path serverDir, JsonNode share, StorageIndex si) {
    ShareNumber shnum() {
      return ShareNumber.of(share.get("shnum").asInt());
    }

    boolean mutable() {
      return "mutable".equals(share.at("/parsed/container/format").asText());
    }

    Path file() {
      return SharedVectors.tahoe().resolve(share.get("path").asText());
    }

    Path dump() {
      return SharedVectors.tahoe().resolve(share.get("tahoe_dump_share").asText());
    }

    @Override
    public String toString() {
      return caseName + (seqnum > 0 ? " seq" + seqnum : "") + " sh" + shnum().value();
    }
  }

  static List<CorpusShare> corpus() throws IOException {
    JsonNode m = new ObjectMapper().readTree(SharedVectors.tahoe().resolve("manifest.json").toFile());
    List<CorpusShare> out = new ArrayList<>();
    for (JsonNode c : m.get("cases")) {
      StorageIndex si = StorageIndex.parse(c.get("storage_index_b32").asText());
      if (c.has("versions")) {
        for (JsonNode v : c.get("versions")) {
          for (JsonNode s : v.get("shares")) {
            out.add(new CorpusShare(c.get("name").asText(), v.get("seqnum").asInt(), serverDir(s), s, si));
          }
        }
      } else {
        for (JsonNode s : c.get("shares")) {
          out.add(new CorpusShare(c.get("name").asText(), 0, serverDir(s), s, si));
        }
      }
    }
    assertTrue(out.size() >= 60, "corpus must hold every case's shares, found " + out.size());
    return out;
  }

  private static Path serverDir(JsonNode share) {
    // <...>/servers/serverNN-xxxx/storage/shares/<p>/<si>/<sh>
    Path p = SharedVectors.tahoe().resolve(share.get("path").asText());
    return p.getParent().getParent().getParent().getParent().getParent();
  }

  /** Copies a server's tree (the corpus is read-only) and gives it the manifest's node id. */
  private Path copyServer(CorpusShare cs) throws IOException {
    Path dst = Files.createTempDirectory(temp, "srv");
    try (Stream<Path> walk = Files.walk(cs.serverDir())) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        Path t = dst.resolve(cs.serverDir().relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t, StandardCopyOption.COPY_ATTRIBUTES);
          t.toFile().setWritable(true);
        }
      }
    }
    try (Stream<Path> walk = Files.walk(dst)) {
      walk.forEach(p -> p.toFile().setWritable(true));
    }
    Files.writeString(dst.resolve("my_nodeid"), cs.share().get("serverid_b32").asText() + "\n");
    return dst;
  }

  private static byte[] bytes(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }

  private static long dumpValue(Path dump, String key) throws IOException {
    Matcher m = Pattern.compile("^\\s*" + Pattern.quote(key) + ":\\s+(\\d+)", Pattern.MULTILINE)
        .matcher(Files.readString(dump, StandardCharsets.UTF_8));
    assertTrue(m.find(), dump + " has no '" + key + "'");
    return Long.parseLong(m.group(1));
  }

  @TestFactory
  Stream<DynamicTest> readsEveryCorpusShareAsDumpShareShowsIt() throws IOException {
    return corpus().stream().map(cs -> DynamicTest.dynamicTest(cs.toString(), () -> {
      byte[] file = Files.readAllBytes(cs.file());
      JsonNode sections = cs.share().at("/parsed/sections");
      long start;
      long end;
      if (cs.mutable()) {
        start = MutableContainer.DATA_OFFSET;
        end = start + cs.share().at("/parsed/container/data_length").asLong();
        assertEquals(end - start, dumpValue(cs.dump(), "data_length"));
        assertEquals(start, sections.get("share_header").get(0).asLong());
        assertEquals(end, sections.get("extra_lease_count").get(0).asLong());
      } else {
        start = ImmutableContainer.HEADER_SIZE;
        end = sections.get("leases").get(0).asLong();
        assertEquals(end, dumpValue(cs.dump(), "leases"));
        assertEquals(start, dumpValue(cs.dump(), "share data"));
      }
      try (DiskStorageServer s = DiskStorageServer.open(copyServer(cs))) {
        List<ShareInfo> listed = s.listShares(cs.si());
        assertEquals(List.of(new ShareInfo(cs.shnum(), cs.mutable() ? ShareKind.MUTABLE : ShareKind.IMMUTABLE,
            end - start)), listed);
        byte[] expected = Arrays.copyOfRange(file, (int) start, (int) end);
        ByteArrayCollector got = new ByteArrayCollector();
        for (long off = 0; off < end - start + 1000; off += 65536) {
          got.add(bytes(s.read(cs.si(), cs.shnum(), off, 65536)));
        }
        assertArrayEquals(expected, got.toArray());
        // Every section of Tahoe's parse, read by range, matches the file at the same place.
        for (Map.Entry<String, JsonNode> e : iterable(sections)) {
          long a = e.getValue().get(0).asLong();
          long b = e.getValue().get(1).asLong();
          if (a >= start && b <= end && b > a) {
            assertArrayEquals(Arrays.copyOfRange(file, (int) a, (int) b),
                bytes(s.read(cs.si(), cs.shnum(), a - start, (int) (b - a))), e.getKey());
          }
        }
        assertEquals(cs.mutable() ? 1 : cs.share().at("/parsed/container/num_leases").asInt(),
            s.leaseCount(cs.si(), cs.shnum()));
      }
    }));
  }

  private static Iterable<Map.Entry<String, JsonNode>> iterable(JsonNode n) {
    return n::fields;
  }

  private static final class ByteArrayCollector {
    private final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();

    void add(byte[] b) {
      out.writeBytes(b);
    }

    byte[] toArray() {
      return out.toByteArray();
    }
  }

  /** Positions of secret-dependent lease bytes that legitimately differ from the corpus. */
  private static void maskImmutableLease(byte[] container) {
    int at = container.length - Leases.IMMUTABLE_LEASE_SIZE;
    Arrays.fill(container, at + 4, at + 72, (byte) 0);
  }

  private static void maskMutableLease(byte[] container, int slot) {
    int at = MutableContainer.HEADER_SIZE + slot * Leases.MUTABLE_LEASE_SIZE;
    Arrays.fill(container, at + 4, at + 72, (byte) 0);
  }

  @TestFactory
  Stream<DynamicTest> writesImmutableContainersExactlyAsTahoe() throws IOException {
    return corpus().stream().filter(cs -> !cs.mutable()).map(cs -> DynamicTest.dynamicTest(cs.toString(), () -> {
      byte[] tahoe = Files.readAllBytes(cs.file());
      byte[] data = Arrays.copyOfRange(tahoe, 12, tahoe.length - Leases.IMMUTABLE_LEASE_SIZE);
      Path dir = Files.createTempDirectory(temp, "w");
      Files.writeString(dir.resolve("my_nodeid"), cs.share().get("serverid_b32").asText());
      LeaseSecrets lease = LeaseSecrets.random();
      long before = System.currentTimeMillis() / 1000;
      try (DiskStorageServer s = DiskStorageServer.open(dir)) {
        try (ImmutableUpload u = s.allocate(cs.si(), cs.shnum(), data.length, lease)) {
          // Out of order and in pieces, as an uploader may send them.
          int half = data.length / 2;
          u.write(half, ByteBuffer.wrap(data, half, data.length - half));
          u.write(0, ByteBuffer.wrap(data, 0, half));
          u.commit();
        }
      }
      Path ours = dir.resolve("storage/shares").resolve(cs.si().prefix()).resolve(cs.si().toBase32())
          .resolve(Integer.toString(cs.shnum().value()));
      byte[] mine = Files.readAllBytes(ours);
      assertEquals(tahoe.length, mine.length);
      ByteBuffer lz = ByteBuffer.wrap(mine, mine.length - 72, 72);
      assertEquals(0, lz.getInt(), "allocate_buckets leases have owner 0");
      byte[] renew = new byte[32];
      byte[] cancel = new byte[32];
      lz.get(renew).get(cancel);
      assertArrayEquals(Leases.blake2b256(lease.renewSecret()), renew);
      assertArrayEquals(Leases.blake2b256(lease.cancelSecret()), cancel);
      long expiry = Integer.toUnsignedLong(lz.getInt());
      assertTrue(expiry >= before + Leases.RENEWAL_SECONDS && expiry <= before + Leases.RENEWAL_SECONDS + 60);
      maskImmutableLease(mine);
      byte[] theirs = tahoe.clone();
      maskImmutableLease(theirs);
      assertArrayEquals(theirs, mine, "container identical to Tahoe's outside lease secrets and expiry");
      assertFalse(Files.exists(dir.resolve("storage/shares/incoming").resolve(cs.si().prefix())
          .resolve(cs.si().toBase32())), "incoming/ is tidied after commit");
    }));
  }

  @Test
  void writesMutableContainersExactlyAsTahoeAcrossBothSeqnums() throws IOException, Exception {
    List<CorpusShare> all = corpus();
    int checked = 0;
    for (CorpusShare seq1 : all) {
      if (!seq1.mutable() || seq1.seqnum() != 1) {
        continue;
      }
      CorpusShare seq2 = all.stream()
          .filter(o -> o.caseName().equals(seq1.caseName()) && o.seqnum() == 2 && o.shnum().equals(seq1.shnum()))
          .findFirst().orElse(null);
      byte[] t1 = Files.readAllBytes(seq1.file());
      byte[] we = Arrays.copyOfRange(t1, 52, 84);
      Path dir = Files.createTempDirectory(temp, "m");
      Files.writeString(dir.resolve("my_nodeid"), seq1.share().get("serverid_b32").asText() + "\n");
      LeaseSecrets lease = LeaseSecrets.random();
      Path ours = dir.resolve("storage/shares").resolve(seq1.si().prefix()).resolve(seq1.si().toBase32())
          .resolve(Integer.toString(seq1.shnum().value()));
      try (DiskStorageServer s = DiskStorageServer.open(dir)) {
        byte[] d1 = Arrays.copyOfRange(t1, 468, 468 + (int) seq1.share().at("/parsed/container/data_length").asLong());
        TestAndWriteResult r = s.testAndWrite(seq1.si(), WriteEnabler.of(we), Map.of(seq1.shnum(),
            new ShareTestAndWrite(List.of(TestVector.mustBeEmpty()), List.of(new WriteVector(0, d1)),
                OptionalLong.empty())), List.of(), lease);
        assertTrue(r.success());
        byte[] mine = Files.readAllBytes(ours);
        checkMutableLease(mine, lease, seq1);
        assertSameOutsideLease(t1, mine, seq1 + ": first publish");
        if (seq2 != null) {
          byte[] t2 = Files.readAllBytes(seq2.file());
          byte[] d2 = Arrays.copyOfRange(t2, 468, 468 + (int) seq2.share().at("/parsed/container/data_length").asLong());
          // Tahoe's update: test the old checkstring (the share's prefix), write the new share.
          byte[] check = Arrays.copyOfRange(d1, 0, 41);
          r = s.testAndWrite(seq1.si(), WriteEnabler.of(we), Map.of(seq1.shnum(),
              new ShareTestAndWrite(List.of(new TestVector(0, check.length, check)),
                  List.of(new WriteVector(0, d2)), OptionalLong.empty())), List.of(), lease);
          assertTrue(r.success());
          byte[] mine2 = Files.readAllBytes(ours);
          checkMutableLease(mine2, lease, seq2);
          assertSameOutsideLease(t2, mine2, seq2 + ": second publish");
          assertEquals(1, s.leaseCount(seq1.si(), seq1.shnum()), "the same lease is renewed, not added");
        }
      }
      checked++;
    }
    assertTrue(checked >= 30, "every first-version mutable share was rewritten, got " + checked);
  }

  private static void checkMutableLease(byte[] mine, LeaseSecrets lease, CorpusShare cs) {
    ByteBuffer lz = ByteBuffer.wrap(mine, MutableContainer.HEADER_SIZE, Leases.MUTABLE_LEASE_SIZE);
    assertEquals(1, lz.getInt(), "mutable leases have owner 1");
    lz.getInt();
    byte[] renew = new byte[32];
    byte[] cancel = new byte[32];
    byte[] node = new byte[20];
    lz.get(renew).get(cancel).get(node);
    assertArrayEquals(Leases.blake2b256(lease.renewSecret()), renew);
    assertArrayEquals(Leases.blake2b256(lease.cancelSecret()), cancel);
    assertEquals(cs.share().get("serverid_b32").asText(), Base32.encode(node));
  }

  private static void assertSameOutsideLease(byte[] tahoe, byte[] mine, String what) {
    assertEquals(tahoe.length, mine.length, what + ": container size");
    byte[] a = tahoe.clone();
    byte[] b = mine.clone();
    maskMutableLease(a, 0);
    maskMutableLease(b, 0);
    assertArrayEquals(a, b, what + ": identical to Tahoe's container outside lease secrets and expiry");
  }
}
