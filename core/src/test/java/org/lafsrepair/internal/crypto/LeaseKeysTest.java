package org.lafsrepair.internal.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bouncycastle.crypto.digests.Blake2bDigest;
import org.junit.jupiter.api.Test;
import org.lafsrepair.spi.Base32;
import org.lafsrepair.spi.LeaseSecrets;
import org.lafsrepair.spi.ServerId;
import org.lafsrepair.spi.StorageIndex;
import org.lafsrepair.testing.TahoeCorpus;

/** Containers v2 store BLAKE2b-256 of the renew and cancel secrets a client sent. */
class LeaseKeysTest {
  private static final byte[] CLIENT_SECRET =
      Base32.decode(TahoeCorpus.manifest().get("client_lease_secret_b32").asText());

  private record StoredLease(byte[] renewHash, byte[] cancelHash) {}

  @Test
  void everyLeaseInTheCorpusHashesTheDerivedSecrets() {
    int checked = 0;
    for (JsonNode c : TahoeCorpus.cases()) {
      StorageIndex si = StorageIndex.parse(c.get("storage_index_b32").asText());
      boolean mutable = c.get("kind").asText().startsWith("mutable");
      List<JsonNode> shares = new ArrayList<>();
      if (mutable) {
        c.get("versions").forEach(v -> v.get("shares").forEach(shares::add));
      } else {
        c.get("shares").forEach(shares::add);
      }
      for (JsonNode share : shares) {
        ServerId server = ServerId.parse(share.get("serverid_b32").asText());
        byte[] file = TahoeCorpus.read(share.get("path").asText());
        List<StoredLease> leases = mutable ? mutableLeases(file) : immutableLeases(file);
        assertFalse(leases.isEmpty(), share.get("path").asText());
        LeaseSecrets expected = LeaseKeys.forServer(CLIENT_SECRET, si, server);
        for (StoredLease l : leases) {
          assertArrayEquals(blake2b256(expected.renewSecret()), l.renewHash(),
              share.get("path").asText());
          assertArrayEquals(blake2b256(expected.cancelSecret()), l.cancelHash());
          checked++;
        }
        // The same secrets for another server would not match.
        LeaseSecrets wrong = LeaseKeys.forServer(CLIENT_SECRET, si, ServerId.of(new byte[20]));
        assertFalse(Arrays.equals(blake2b256(wrong.renewSecret()), leases.get(0).renewHash()));
      }
    }
    assertTrue(checked >= 50, "checked " + checked);
  }

  @Test
  void renewalAndCancelChainsDiffer() {
    StorageIndex si = StorageIndex.of(new byte[16]);
    LeaseSecrets s = LeaseKeys.forServer(CLIENT_SECRET, si, ServerId.of(new byte[20]));
    assertFalse(Arrays.equals(s.renewSecret(), s.cancelSecret()));
    assertEquals(32, LeaseKeys.clientRenewalSecret(CLIENT_SECRET).length);
    assertThrows(IllegalArgumentException.class, () -> LeaseKeys.clientRenewalSecret(new byte[31]));
  }

  /** Immutable: leases are the last 72·L bytes; L is header bytes 8..12. */
  private static List<StoredLease> immutableLeases(byte[] file) {
    ByteBuffer b = ByteBuffer.wrap(file);
    assertEquals(2, b.getInt(0), "container version");
    int count = b.getInt(8);
    List<StoredLease> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int off = file.length - 72 * (count - i);
      out.add(new StoredLease(Arrays.copyOfRange(file, off + 4, off + 36),
          Arrays.copyOfRange(file, off + 36, off + 68)));
    }
    return out;
  }

  /** Mutable: 4 slots of 92 bytes at 100 (owner, expiry, renew, cancel, nodeid); empty = zeros. */
  private static List<StoredLease> mutableLeases(byte[] file) {
    List<StoredLease> out = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      int off = 100 + 92 * i;
      byte[] slot = Arrays.copyOfRange(file, off, off + 92);
      if (Arrays.equals(slot, new byte[92])) {
        continue;
      }
      out.add(new StoredLease(Arrays.copyOfRange(slot, 8, 40), Arrays.copyOfRange(slot, 40, 72)));
    }
    return out;
  }

  private static byte[] blake2b256(byte[] secret) {
    Blake2bDigest d = new Blake2bDigest(256);
    d.update(secret, 0, secret.length);
    byte[] out = new byte[32];
    d.doFinal(out, 0);
    return out;
  }
}
