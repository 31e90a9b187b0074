package org.lafsrepair.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.lafsrepair.spi.StorageIndex;

/** Properties of the service's parsers: work lines, journal records, JSON strings. */
class ServiceParserProperties {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Property(tries = 500)
  void anyLineParsesOrIsRejectedWithAReason(@ForAll("lines") String line) {
    try {
      WorkItem item = WorkItem.parse(line);
      assertEquals(line.strip(), item.text());
      assertTrue(item.cap().isPresent() || item.storageIndex().isPresent());
    } catch (InvalidWorkItemException e) {
      assertTrue(e.getMessage() != null && !e.getMessage().isEmpty());
      assertTrue(e.text().length() <= 123);
    }
  }

  @Provide
  Arbitrary<String> lines() {
    return Arbitraries.oneOf(
        Arbitraries.strings().ofMaxLength(300),
        Arbitraries.strings().withChars("abcdefghijklmnopqrstuvwxyz234567").ofLength(26),
        Arbitraries.strings().withChars("abcdefghijklmnopqrstuvwxyz234567:URICHK-Verif")
            .ofMaxLength(120).map(s -> "URI:" + s),
        Arbitraries.strings().ofLength(WorkItem.MAX_LENGTH + 1));
  }

  @Property(tries = 200)
  void storageIndexLinesRoundTrip(@ForAll @Size(16) byte[] bytes) throws Exception {
    StorageIndex si = StorageIndex.of(bytes);
    WorkItem item = WorkItem.parse("  " + si.toBase32() + "\t");
    assertEquals(si, item.storageIndex().orElseThrow());
    assertTrue(!item.isCap());
  }

  @Property(tries = 100)
  void journalRecordsRoundTripWhateverTheirText(@ForAll @Size(max = 6) List<String> fields)
      throws IOException {
    Path dir = Files.createTempDirectory("journal");
    try {
      Path p = dir.resolve("j.log");
      List<String> header = List.of("H", "name", "sha");
      try (Journal j = Journal.create(p, header)) {
        j.append(fields, false);
        j.append(List.of("F", "1"), true);
      }
      Journal.Contents c = Journal.read(p);
      assertEquals(List.of(header, fields.isEmpty() ? List.of("") : fields, List.of("F", "1")),
          c.records());
      assertEquals(Files.size(p), c.validBytes());
    } finally {
      deleteAll(dir);
    }
  }

  @Property(tries = 150)
  void aTornOrDamagedJournalYieldsAPrefixOfItsRecords(
      @ForAll @Size(min = 1, max = 5) List<@Size(max = 20) String> texts,
      @ForAll @IntRange(min = 0, max = 400) int cut, @ForAll @IntRange(min = 0, max = 400) int flip)
      throws IOException {
    Path dir = Files.createTempDirectory("journal");
    try {
      Path p = dir.resolve("j.log");
      List<List<String>> written = new ArrayList<>();
      written.add(List.of("H", "n", "s"));
      try (Journal j = Journal.create(p, written.get(0))) {
        for (String t : texts) {
          List<String> r = List.of("R", t);
          j.append(r, false);
          written.add(r);
        }
      }
      byte[] data = Files.readAllBytes(p);
      byte[] damaged = Arrays.copyOf(data, Math.min(cut, data.length));
      if (damaged.length > 0) {
        damaged[flip % damaged.length] ^= 0x01;
      }
      Files.write(p, damaged);
      Journal.Contents c = Journal.read(p);
      List<List<String>> got = c.records();
      assertTrue(got.size() <= written.size());
      assertEquals(written.subList(0, got.size()), got, "only intact records, in order");
      assertTrue(c.validBytes() <= damaged.length);
      try (Journal j = Journal.reopen(p, c.validBytes())) {
        j.append(List.of("F", "9"), true);
      }
      List<List<String>> after = Journal.read(p).records();
      assertEquals(got.size() + 1, after.size(), "appending after a torn tail works");
    } finally {
      deleteAll(dir);
    }
  }

  @Property(tries = 500)
  void jsonStringsParseBackToTheSameText(@ForAll String s) throws Exception {
    String literal = Json.string(s);
    String back = JSON.readValue(literal, String.class);
    // Lone surrogates cannot survive any UTF-16 -> JSON -> UTF-16 trip unchanged; all else must.
    if (s.chars().noneMatch(c -> Character.isSurrogate((char) c))) {
      assertEquals(s, back);
    }
  }

  private static void deleteAll(Path dir) throws IOException {
    try (var s = Files.walk(dir)) {
      for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
