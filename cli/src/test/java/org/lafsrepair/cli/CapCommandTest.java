package org.lafsrepair.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.lafsrepair.testing.TahoeCorpus;

class CapCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private record Result(int exit, String out, String err) {}

  /** Runs {@link Main#run} with stdout and stderr captured. */
  private static Result run(String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      int exit = Main.run(args);
      System.out.flush();
      System.err.flush();
      return new Result(exit, out.toString(StandardCharsets.UTF_8),
          err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  private static JsonNode corpusCase(String name) {
    return TahoeCorpus.cases().stream().filter(c -> c.get("name").asText().equals(name))
        .findFirst().orElseThrow();
  }

  @Test
  void chkReadCapJsonHasEveryContractField() throws Exception {
    JsonNode c = corpusCase("chk-k3n10-1100000");
    Result r = run("cap", c.get("caps").get("read").asText(), "--json");
    assertEquals(0, r.exit(), r.err());
    assertEquals("", r.err());
    JsonNode j = JSON.readTree(r.out());
    assertEquals(List.of("kind", "storage-index", "verify-cap", "read-cap", "k", "n", "size"),
        fieldNames(j));
    assertEquals("chk-read", j.get("kind").asText());
    assertEquals(c.get("storage_index_b32").asText(), j.get("storage-index").asText());
    assertEquals(c.get("caps").get("verify").asText(), j.get("verify-cap").asText());
    assertEquals(c.get("caps").get("read").asText(), j.get("read-cap").asText());
    assertEquals(3, j.get("k").asInt());
    assertEquals(10, j.get("n").asInt());
    assertEquals(1100000, j.get("size").asLong());
  }

  @Test
  void mutableWriteCapJsonDerivesReadAndVerifyCaps() throws Exception {
    for (JsonNode c : TahoeCorpus.cases("mutable")) {
      Result r = run("cap", "--json", c.get("caps").get("write").asText());
      assertEquals(0, r.exit(), r.err());
      JsonNode j = JSON.readTree(r.out());
      String format = c.get("kind").asText().substring("mutable-".length());
      assertEquals(format + "-write", j.get("kind").asText());
      assertEquals(c.get("storage_index_b32").asText(), j.get("storage-index").asText());
      assertEquals(c.get("caps").get("verify").asText(), j.get("verify-cap").asText());
      assertEquals(c.get("caps").get("read").asText(), j.get("read-cap").asText());
      assertFalse(j.has("k") || j.has("n") || j.has("size"));
    }
  }

  @Test
  void verifyCapHasNoReadCap() throws Exception {
    JsonNode c = corpusCase("chk-k5n7-525534");
    String verify = c.get("caps").get("verify").asText();
    JsonNode j = JSON.readTree(run("cap", verify, "--json").out());
    assertEquals("chk-verify", j.get("kind").asText());
    assertEquals(verify, j.get("verify-cap").asText());
    assertFalse(j.has("read-cap"));
    assertEquals(5, j.get("k").asInt());
    assertEquals(7, j.get("n").asInt());
  }

  @Test
  void literalAndDirectoryCaps() throws Exception {
    JsonNode lit = JSON.readTree(run("cap", "URI:LIT:nbswy3dp", "--json").out());
    assertEquals("lit", lit.get("kind").asText());
    assertEquals(5, lit.get("size").asInt()); // "hello"
    assertFalse(lit.has("storage-index") || lit.has("verify-cap"));
    JsonNode c = corpusCase("chk-k2n3-131073");
    String read = c.get("caps").get("read").asText();
    String dir = "URI:DIR2-CHK:" + read.substring("URI:CHK:".length());
    JsonNode j = JSON.readTree(run("cap", dir, "--json").out());
    assertEquals("dir-chk-read", j.get("kind").asText());
    assertEquals(c.get("storage_index_b32").asText(), j.get("storage-index").asText());
    assertTrue(j.get("verify-cap").asText().startsWith("URI:DIR2-CHK-Verifier:"));
    assertEquals(131073, j.get("size").asLong());
  }

  @Test
  void textOutputListsTheSameFields() {
    JsonNode c = corpusCase("chk-k1n1-56");
    Result r = run("cap", c.get("caps").get("read").asText());
    assertEquals(0, r.exit());
    assertTrue(r.out().contains("kind: chk-read\n"), r.out());
    assertTrue(r.out().contains("storage-index: " + c.get("storage_index_b32").asText() + "\n"));
    assertTrue(r.out().contains("verify-cap: " + c.get("caps").get("verify").asText() + "\n"));
  }

  @Test
  void malformedCapIsOneErrorLineAndExitTwo() {
    Result r = run("cap", "URI:CHK:abc:def:3:10:100", "--json");
    assertEquals(ExitCodes.USAGE, r.exit());
    assertEquals("", r.out());
    String[] lines = r.err().split("\n");
    assertEquals(1, lines.length, r.err());
    assertTrue(lines[0].startsWith("lafs-repair: bad cap: URI:CHK: key must be 26"), lines[0]);
    assertFalse(r.err().contains("Exception"));
  }

  @Test
  void readsTheCapFromStdinWithDash() throws Exception {
    JsonNode c = corpusCase("mdmf-k3n10-302146");
    java.io.InputStream oldIn = System.in;
    try {
      System.setIn(new java.io.ByteArrayInputStream(
          (c.get("caps").get("write").asText() + "\n").getBytes(StandardCharsets.US_ASCII)));
      Result r = run("cap", "-", "--json");
      assertEquals(0, r.exit(), r.err());
      assertEquals(c.get("caps").get("verify").asText(),
          JSON.readTree(r.out()).get("verify-cap").asText());
    } finally {
      System.setIn(oldIn);
    }
  }

  @Test
  void missingCapIsAUsageError() {
    Result r = run("cap");
    assertEquals(ExitCodes.USAGE, r.exit());
    assertTrue(r.err().startsWith("lafs-repair: usage: "), r.err());
  }

  private static List<String> fieldNames(JsonNode j) {
    List<String> names = new java.util.ArrayList<>();
    j.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
