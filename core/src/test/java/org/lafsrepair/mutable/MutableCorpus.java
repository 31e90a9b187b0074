package org.lafsrepair.mutable;

import org.lafsrepair.cap.MutableFormat;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.lafsrepair.internal.crypto.Hashes;
import org.lafsrepair.spi.Base32;
import org.lafsrepair.spi.ServerId;
import org.lafsrepair.spi.StorageIndex;
import org.lafsrepair.testing.SharedVectors;

/** The mutable cases of the shared Tahoe corpus, loaded from manifest.json. */
final class MutableCorpus {
  record Share(int shnum, int serverIndex, String serverIdB32, byte[] container, byte[] data) {}

  record Version(long seqnum, byte[] rootHash, byte[] plaintext, List<Share> shares, JsonNode tahoeCheck) {}

  record Case(String name, MutableFormat format, String writeCap, String readCap, String verifyCap,
      StorageIndex si, int k, int n, byte[] signingKeyPkcs8, byte[] verificationKeySpki,
      List<String> serverIds, List<Version> versions) {
    Version current() {
      return versions.get(versions.size() - 1);
    }
  }

  private static volatile List<Case> cases;

  private MutableCorpus() {}

  static List<Case> cases() {
    List<Case> c = cases;
    if (c == null) {
      c = load();
      cases = c;
    }
    return c;
  }

  static Case named(String name) {
    return cases().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
  }

  private static List<Case> load() {
    try {
      JsonNode m = new ObjectMapper().readTree(SharedVectors.tahoe().resolve("manifest.json").toFile());
      List<Case> out = new ArrayList<>();
      for (JsonNode c : m.get("cases")) {
        String kind = c.get("kind").asText();
        if (!kind.startsWith("mutable-")) {
          continue;
        }
        List<String> serverIds = new ArrayList<>();
        for (JsonNode s : c.get("servers")) {
          serverIds.add(s.get("serverid_b32").asText());
        }
        List<Version> versions = new ArrayList<>();
        for (JsonNode v : c.get("versions")) {
          List<Share> shares = new ArrayList<>();
          for (JsonNode s : v.get("shares")) {
            byte[] container = Files.readAllBytes(SharedVectors.tahoe().resolve(s.get("path").asText()));
            long len = s.get("parsed").get("container").get("data_length").asLong();
            byte[] data = Arrays.copyOfRange(container, 468, (int) (468 + len));
            shares.add(new Share(s.get("shnum").asInt(), s.get("server_index").asInt(),
                s.get("serverid_b32").asText(), container, data));
          }
          shares.sort((a, b) -> Integer.compare(a.shnum(), b.shnum()));
          versions.add(new Version(v.get("seqnum").asLong(),
              Base32.decode(v.get("verinfo").get("root_hash_b32").asText()),
              plaintext(v.get("plaintext")), shares, v.get("tahoe_check_verify")));
        }
        out.add(new Case(c.get("name").asText(),
            kind.equals("mutable-sdmf") ? MutableFormat.SDMF : MutableFormat.MDMF,
            c.get("caps").get("write").asText(), c.get("caps").get("read").asText(),
            c.get("caps").get("verify").asText(),
            StorageIndex.parse(c.get("storage_index_b32").asText()),
            c.get("encoding").get("k").asInt(), c.get("encoding").get("N").asInt(),
            Base64.getDecoder().decode(c.get("rsa_signing_key_der_b64").asText()),
            Base64.getDecoder().decode(c.get("rsa_verification_key_der_b64").asText()),
            serverIds, versions));
      }
      if (out.isEmpty()) {
        throw new IllegalStateException("no mutable cases in the corpus");
      }
      return List.copyOf(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] plaintext(JsonNode p) throws IOException {
    int size = p.get("size").asInt();
    byte[] seed = p.get("seed").asText().getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[size];
    for (long counter = 0; counter * 32 < size; counter++) {
      var d = Hashes.sha256();
      d.update(seed);
      d.update(ByteBuffer.allocate(8).putLong(counter).array());
      byte[] h = d.digest();
      System.arraycopy(h, 0, out, (int) (counter * 32), (int) Math.min(32, size - counter * 32));
    }
    byte[] expected = hex(p.get("sha256").asText());
    if (!Arrays.equals(Hashes.sha256().digest(out), expected)) {
      throw new IllegalStateException("plaintext rule does not reproduce " + p.get("seed"));
    }
    return out;
  }

  static byte[] hex(String s) {
    byte[] out = new byte[s.length() / 2];
    for (int i = 0; i < out.length; i++) {
      out[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
    }
    return out;
  }

  static ServerId serverId(String b32) {
    return ServerId.of(Base32.decode(b32));
  }
}
