package org.lafsrepair.mutable;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import org.lafsrepair.cap.ImmutableBytes;
import org.lafsrepair.cap.MutableFormat;
import org.lafsrepair.cap.MutableWriteCap;
import org.lafsrepair.grid.Grid;
import org.lafsrepair.internal.crypto.AesCtr;
import org.lafsrepair.internal.crypto.KeyFormatException;
import org.lafsrepair.internal.crypto.LeaseKeys;
import org.lafsrepair.internal.crypto.MutableKeys;
import org.lafsrepair.internal.crypto.RsaSigningKey;
import org.lafsrepair.spi.Capability;
import org.lafsrepair.spi.LeaseSecrets;
import org.lafsrepair.spi.ShareNumber;
import org.lafsrepair.spi.ShareTestAndWrite;
import org.lafsrepair.spi.StorageException;
import org.lafsrepair.spi.StorageIndex;
import org.lafsrepair.spi.StorageServer;
import org.lafsrepair.spi.TestAndWriteResult;
import org.lafsrepair.spi.TestVector;
import org.lafsrepair.spi.WriteEnabler;
import org.lafsrepair.spi.WriteEnablerMismatchException;
import org.lafsrepair.spi.WriteEnablerRebind;
import org.lafsrepair.spi.WriteVector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates mutable files and publishes new versions, as Tahoe's publisher does (tahoe-formats.md
 * §7, §8.3): seqnum = highest seen + 1, fresh random salts, AES-CTR under per-salt data keys,
 * zfec k-of-N, block and share trees, an RSA-PSS signature over the prefix, the private key
 * stored encrypted with the writekey, and test-and-write with per-server write enablers (every
 * known share rewritten in place under its old checkstring, homeless share numbers to the least
 * loaded servers in permuted order). On a write-enabler mismatch at a server offering publish
 * authority, it rebinds its enabler there with a signed message and retries. Thread-safe.
 */
public final class MutablePublisher {
  private static final Logger LOG = LoggerFactory.getLogger(MutablePublisher.class);
  /** Tahoe's maximum MDMF segment size before rounding up to a multiple of k. */
  public static final int MDMF_SEGMENT_SIZE = 128 * 1024;

  private final int k;
  private final int n;
  private final SecureRandom random;
  private final byte[] leaseSecret;

  private MutablePublisher(Builder b) {
    this.k = b.k;
    this.n = b.n;
    this.random = b.random;
    this.leaseSecret = b.leaseSecret;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Encoding and environment; defaults k=3, N=10, a fresh SecureRandom, random leases. */
  public static final class Builder {
    private int k = 3;
    private int n = 10;
    private SecureRandom random = new SecureRandom();
    private byte[] leaseSecret;

    private Builder() {}

    public Builder encoding(int k, int n) {
      if (k < 1 || n < k || n > 255) {
        throw new IllegalArgumentException("need 1 <= k <= N <= 255, got " + k + "-of-" + n);
      }
      this.k = k;
      this.n = n;
      return this;
    }

    public Builder random(SecureRandom random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /** The client's 32-byte lease secret (Tahoe's {@code private/secret}). */
    public Builder leaseSecret(byte[] secret) {
      if (secret.length != LeaseKeys.SECRET_LENGTH) {
        throw new IllegalArgumentException("lease secret must be 32 bytes");
      }
      this.leaseSecret = secret.clone();
      return this;
    }

    public MutablePublisher build() {
      return new MutablePublisher(this);
    }
  }

  /** A publish could not place every share. */
  public static final class PublishException extends Exception {
    private static final long serialVersionUID = 1L;

    public PublishException(String message) {
      super(message);
    }
  }

  /** A whole version, encoded: its signed prefix and every share's bytes. */
  record EncodedVersion(SignedPrefix prefix, Map<Integer, byte[]> shares) {}

  /** Source of salts: index 0 is SDMF's IV, or MDMF segment i's salt. */
  @FunctionalInterface
  interface Salts {
    byte[] salt(int segment);
  }

  /**
   * Creates a mutable file with a new 2048-bit key (or {@code key} if given) holding {@code
   * plaintext} at seqnum 1, and returns its write cap.
   */
  public MutableWriteCap create(MutableFormat format, RsaSigningKey key, byte[] plaintext,
      List<? extends StorageServer> servers) throws PublishException {
    RsaSigningKey k0 = key != null ? key : RsaSigningKey.generate(random);
    byte[] writekey = MutableKeys.writekey(k0);
    byte[] fingerprint = MutableKeys.fingerprint(k0.verificationKey());
    MutableWriteCap cap = new MutableWriteCap(format, ImmutableBytes.copyOf(writekey),
        ImmutableBytes.copyOf(fingerprint));
    publish(cap, k0, plaintext, servers);
    return cap;
  }

  /**
   * Publishes {@code plaintext} as the next version of the file (seqnum = highest seen + 1),
   * recovering the signing key from the shares' encrypted private key.
   */
  public SignedPrefix publish(MutableWriteCap cap, byte[] plaintext,
      List<? extends StorageServer> servers) throws PublishException {
    MutableFileKeys keys = MutableFileKeys.of(cap);
    MutableServerMap map = MutableServerMap.build(keys, servers, MutableServerMap.Mode.CHECK);
    RsaSigningKey key = signingKey(keys, map);
    return publish(cap, key, plaintext, servers, map);
  }

  private SignedPrefix publish(MutableWriteCap cap, RsaSigningKey key, byte[] plaintext,
      List<? extends StorageServer> servers) throws PublishException {
    MutableFileKeys keys = MutableFileKeys.of(cap);
    return publish(cap, key, plaintext, servers,
        MutableServerMap.build(keys, servers, MutableServerMap.Mode.CHECK));
  }

  private static RsaSigningKey signingKey(MutableFileKeys keys, MutableServerMap map)
      throws PublishException {
    byte[] writekey = keys.writekey().orElseThrow();
    for (MutableServerMap.ShareRecord r : map.records()) {
      if (r.verdict().isGood()) {
        byte[] pkcs8 = AesCtr.apply(writekey, r.share().orElseThrow().encPrivkeyUnsafe());
        if (Arrays.equals(MutableKeys.writekey(pkcs8), writekey)) {
          try {
            return RsaSigningKey.fromPkcs8(pkcs8);
          } catch (KeyFormatException e) {
            LOG.debug("private key from {} does not load: {}", r, e.getMessage());
          }
        }
      }
    }
    throw new PublishException("no share of " + keys.storageIndex()
        + " yields the signing key; cannot publish a new version");
  }

  private SignedPrefix publish(MutableWriteCap cap, RsaSigningKey key, byte[] plaintext,
      List<? extends StorageServer> servers, MutableServerMap map) throws PublishException {
    MutableFileKeys keys = MutableFileKeys.of(cap);
    long seqnum = 1;
    for (MutableServerMap.ShareRecord r : map.records()) {
      if (r.version().isPresent()) {
        seqnum = Math.max(seqnum, r.version().get().seqnum() + 1);
      }
    }
    EncodedVersion v = encode(cap.mutableFormat(), key, k, n, seqnum, plaintext,
        segment -> {
          byte[] s = new byte[SignedPrefix.SALT_LENGTH];
          random.nextBytes(s);
          return s;
        });
    place(keys, key, map, servers, v);
    return v.prefix();
  }

  /**
   * Encodes a version deterministically given its salts: what Tahoe's publisher computes, byte
   * for byte, except the signature (RSA-PSS is randomised).
   */
  static EncodedVersion encode(MutableFormat format, RsaSigningKey key, int k, int n, long seqnum,
      byte[] plaintext, Salts salts) {
    byte[] writekey = MutableKeys.writekey(key);
    byte[] readkey = MutableKeys.readkey(writekey);
    long datalen = plaintext.length;
    long segsize = format == MutableFormat.SDMF
        ? roundUp(datalen, k)
        : roundUp(MDMF_SEGMENT_SIZE, k);
    int segments = datalen == 0 ? 0 : (int) ((datalen - 1) / segsize + 1);
    VersionEncoder encoder = new VersionEncoder(format, k, n, segments);
    byte[] iv = format == MutableFormat.SDMF ? salts.salt(0) : null;
    for (int i = 0; i < segments; i++) {
      byte[] salt = iv != null ? iv : salts.salt(i);
      int from = (int) (i * segsize);
      int len = (int) Math.min(segsize, datalen - from);
      byte[] crypt = AesCtr.apply(MutableKeys.datakey(salt, readkey),
          Arrays.copyOfRange(plaintext, from, from + len));
      int blockLength = (len + k - 1) / k;
      byte[][] primary = new byte[k][blockLength];
      for (int j = 0; j < k; j++) {
        int start = j * blockLength;
        if (start < len) {
          System.arraycopy(crypt, start, primary[j], 0, Math.min(blockLength, len - start));
        }
      }
      encoder.addSegment(primary, salt);
    }
    byte[] root = encoder.shareTreeRoot();
    SignedPrefix prefix = format == MutableFormat.SDMF
        ? SignedPrefix.sdmf(seqnum, root, iv, k, n, segsize, datalen)
        : SignedPrefix.mdmf(seqnum, root, k, n, segsize, datalen);
    byte[] signature = key.sign(prefix.toBytes());
    byte[] enc = AesCtr.apply(writekey, key.pkcs8());
    byte[] vk = key.verificationKey().spki();
    Map<Integer, byte[]> shares = new LinkedHashMap<>();
    for (int sh = 0; sh < n; sh++) {
      shares.put(sh, encoder.share(sh, prefix, vk, signature, enc));
    }
    return new EncodedVersion(prefix, shares);
  }

  private static long roundUp(long x, int k) {
    return (x + k - 1) / k * k;
  }

  /** Writes every share: known (server, shnum) in place, the rest to the least loaded servers. */
  private void place(MutableFileKeys keys, RsaSigningKey key, MutableServerMap map,
      List<? extends StorageServer> servers, EncodedVersion v) throws PublishException {
    StorageIndex si = keys.storageIndex();
    List<StorageServer> permuted = new ArrayList<>(Grid.permute(new ArrayList<>(servers), si));
    permuted.removeIf(s -> !map.responding().contains(s.id()));
    if (permuted.isEmpty()) {
      throw new PublishException("no server responded");
    }
    Map<StorageServer, Map<Integer, Boolean>> assignment = new LinkedHashMap<>();
    permuted.forEach(s -> assignment.put(s, new LinkedHashMap<>()));
    java.util.Set<Integer> placed = new java.util.TreeSet<>();
    for (MutableServerMap.ShareRecord r : map.records()) {
      int sh = r.shareNumber().value();
      if (sh < n && assignment.containsKey(r.storageServer())) {
        assignment.get(r.storageServer()).put(sh, true);
        placed.add(sh);
      }
    }
    for (int sh = 0; sh < n; sh++) {
      if (!placed.contains(sh)) {
        StorageServer target = permuted.get(0);
        for (StorageServer s : permuted) {
          if (assignment.get(s).size() < assignment.get(target).size()) {
            target = s;
          }
        }
        assignment.get(target).put(sh, false);
      }
    }
    List<String> problems = new ArrayList<>();
    java.util.Set<Integer> stored = new java.util.TreeSet<>();
    for (Map.Entry<StorageServer, Map<Integer, Boolean>> e : assignment.entrySet()) {
      if (e.getValue().isEmpty()) {
        continue;
      }
      try {
        if (write(keys, key, map, e.getKey(), e.getValue(), v)) {
          stored.addAll(e.getValue().keySet());
        } else {
          problems.add(e.getKey().location() + ": test vector failed (uncoordinated write?)");
        }
      } catch (StorageException ex) {
        problems.add(e.getKey().location() + ": " + ex.getMessage());
      }
    }
    if (stored.size() < n) {
      throw new PublishException("published " + v.prefix() + " to only " + stored.size() + " of "
          + n + " share numbers: " + problems);
    }
  }

  private boolean write(MutableFileKeys keys, RsaSigningKey key, MutableServerMap map,
      StorageServer server, Map<Integer, Boolean> shares, EncodedVersion v)
      throws StorageException {
    StorageIndex si = keys.storageIndex();
    WriteEnabler we = MutableKeys.writeEnablerFor(keys.writekey().orElseThrow(), server.id());
    Map<ShareNumber, ShareTestAndWrite> writes = new LinkedHashMap<>();
    for (Map.Entry<Integer, Boolean> e : shares.entrySet()) {
      TestVector test = TestVector.mustBeEmpty();
      if (e.getValue()) {
        ByteBuffer head = server.read(si, ShareNumber.of(e.getKey()), 0, SignedPrefix.SDMF_LENGTH);
        byte[] b = new byte[head.remaining()];
        head.get(b);
        test = new TestVector(0, SignedPrefix.SDMF_LENGTH, b);
      }
      byte[] bytes = v.shares().get(e.getKey());
      writes.put(ShareNumber.of(e.getKey()), new ShareTestAndWrite(List.of(test),
          List.of(new WriteVector(0, bytes)), OptionalLong.empty()));
    }
    LeaseSecrets lease = leaseSecret == null
        ? LeaseSecrets.random() : LeaseKeys.forServer(leaseSecret, si, server.id());
    try {
      return server.testAndWrite(si, we, writes, List.of(), lease).success();
    } catch (WriteEnablerMismatchException e) {
      if (!server.capabilities().contains(Capability.PUBLISH_AUTHORITY)) {
        throw e;
      }
      long newest = map.records().stream()
          .filter(r -> r.storageServer() == server && r.verdict().isGood())
          .mapToLong(r -> r.version().orElseThrow().seqnum()).max()
          .orElseThrow(() -> e);
      LOG.info("{}: rebinding the write enabler of {} (slot at seq {})", server.location(), si,
          newest);
      server.rebindWriteEnabler(new WriteEnablerRebind(si, server.id(), we, newest,
          key.sign(WriteEnablerRebind.signedMessage(si, server.id(), we, newest))));
      TestAndWriteResult r = server.testAndWrite(si, we, writes, List.of(), lease);
      return r.success();
    }
  }
}
