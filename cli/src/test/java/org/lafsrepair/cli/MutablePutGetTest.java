package org.lafsrepair.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Base64;
import org.lafsrepair.testing.SharedVectors;

class MutablePutGetTest {
  @TempDir Path temp;

  private record Result(int exit, String out, String err) {}

  private static Result run(String... args) {
    var cl = Main.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return new Result(cl.execute(args), out.toString(), err.toString());
  }

  private Path grid() {
    Path g = temp.resolve("grid");
    assertEquals(0, run("grid", "init", g.toString(), "--servers", "10").exit());
    return g;
  }

  @Test
  void putMdmfThenGetRoundTripsAndCheckIsHealthy() throws Exception {
    Path g = grid();
    byte[] data = new byte[300_000];
    new Random(3).nextBytes(data);
    Path in = Files.write(temp.resolve("in"), data);
    Result put = run("put", "--grid", g.toString(), "--format", "mdmf", in.toString());
    assertEquals(0, put.exit(), put.err());
    String cap = put.out().trim();
    assertTrue(cap.startsWith("URI:MDMF:"), cap);
    Path out = temp.resolve("out");
    Result get = run("get", "--grid", g.toString(), cap, "-o", out.toString());
    assertEquals(0, get.exit(), get.err());
    assertArrayEquals(data, Files.readAllBytes(out));
  }

  @Test
  void putWithTheCorpusKeyGivesTahoesCapAndRepublishesUnderIt() throws Exception {
    JsonNode sdmf = null;
    for (JsonNode c : new ObjectMapper().readTree(
        SharedVectors.tahoe().resolve("manifest.json").toFile()).get("cases")) {
      if (c.get("kind").asText().equals("mutable-sdmf")) {
        sdmf = c;
      }
    }
    String expected = sdmf.get("caps").get("write").asText();
    Path g = grid();
    String pem = "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(
            Base64.getDecoder().decode(sdmf.get("rsa_signing_key_der_b64").asText()))
        + "\n-----END PRIVATE KEY-----\n";
    Path key = Files.writeString(temp.resolve("key.pem"), pem);
    Path first = Files.write(temp.resolve("first"), "one".getBytes());
    Path second = Files.write(temp.resolve("second"), "two, longer".getBytes());
    Result a = run("put", "--grid", g.toString(), "--format", "sdmf", "--key", key.toString(),
        first.toString());
    assertEquals(0, a.exit(), a.err());
    assertEquals(expected, a.out().trim());
    Result b = run("put", "--grid", g.toString(), "--format", "sdmf", "--key", key.toString(),
        second.toString());
    assertEquals(expected, b.out().trim());
    Path out = temp.resolve("out");
    assertEquals(0, run("get", "--grid", g.toString(), expected, "-o", out.toString()).exit());
    assertArrayEquals("two, longer".getBytes(), Files.readAllBytes(out));
  }
}
