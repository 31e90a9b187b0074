package org.lafsrepair.spi.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.security.spec.RSAKeyGenParameterSpec;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.lafsrepair.spi.Capability;
import org.lafsrepair.spi.LeaseSecrets;
import org.lafsrepair.spi.MutableSharePublication;
import org.lafsrepair.spi.PublicationResult;
import org.lafsrepair.spi.PublishRefusedException;
import org.lafsrepair.spi.PublishRefusedException.Reason;
import org.lafsrepair.spi.ServerId;
import org.lafsrepair.spi.ShareNumber;
import org.lafsrepair.spi.ShareTestAndWrite;
import org.lafsrepair.spi.StorageException;
import org.lafsrepair.spi.StorageIndex;
import org.lafsrepair.spi.StorageServer;
import org.lafsrepair.spi.TestVector;
import org.lafsrepair.spi.WriteEnabler;
import org.lafsrepair.spi.WriteEnablerMismatchException;
import org.lafsrepair.spi.WriteEnablerRebind;
import org.lafsrepair.spi.WriteVector;

/**
 * Conformance suite for {@link Capability#PUBLISH_AUTHORITY} (docs/publish-authority.md). A
 * backend that claims the capability extends this and supplies {@link #newServer()} with the
 * default (signature-only) share integrity check. Shares are real SDMF shares (k=1, N=1) signed
 * with RSA-2048 PSS, built here with the JDK alone.
 */
public abstract class PublishAuthorityTck {
  private static final KeyPair KEY_A = generate();
  private static final KeyPair KEY_B = generate();
  private static final ShareNumber SH0 = ShareNumber.of(0);
  private static final ShareNumber SH1 = ShareNumber.of(1);

  private final Random random = new Random(0xa07);
  protected StorageServer server;

  /** A new, empty server. */
  protected abstract StorageServer newServer() throws Exception;

  @BeforeEach
  void open() throws Exception {
    server = newServer();
    assertTrue(server.capabilities().contains(Capability.PUBLISH_AUTHORITY));
  }

  @AfterEach
  void close() throws Exception {
    server.close();
  }

  // ------------------------------------------------------------------ share building

  private static KeyPair generate() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(new RSAKeyGenParameterSpec(2048, RSAKeyGenParameterSpec.F4), new SecureRandom());
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] sign(KeyPair key, byte[] message) {
    try {
      Signature s = Signature.getInstance("RSASSA-PSS");
      s.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
      s.initSign(key.getPrivate());
      s.update(message);
      return s.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An SDMF share (version 0, k=1, N=1) of {@code data}, signed by {@code key}. */
  static byte[] sdmfShare(KeyPair key, long seqnum, byte[] root, byte[] data) {
    byte[] vk = key.getPublic().getEncoded();
    byte[] iv = new byte[16];
    byte[] prefix = ByteBuffer.allocate(75).put((byte) 0).putLong(seqnum).put(root).put(iv)
        .put((byte) 1).put((byte) 1).putLong(data.length).putLong(data.length).array();
    byte[] sig = sign(key, prefix);
    byte[] enc = new byte[64];
    int sigOff = 107 + vk.length;
    int chainOff = sigOff + sig.length;
    int treeOff = chainOff;
    int dataOff = treeOff + 32;
    int encOff = dataOff + data.length;
    int eof = encOff + enc.length;
    return ByteBuffer.allocate(eof).put(prefix).putInt(sigOff).putInt(chainOff).putInt(treeOff)
        .putInt(dataOff).putLong(encOff).putLong(eof).put(vk).put(sig).put(root).put(data)
        .put(enc).array();
  }

  private StorageIndex randomSi() {
    byte[] b = new byte[16];
    random.nextBytes(b);
    return StorageIndex.of(b);
  }

  private byte[] root(int seed) {
    byte[] r = new byte[32];
    new Random(seed).nextBytes(r);
    return r;
  }

  private PublicationResult publish(StorageIndex si, ShareNumber sh, byte[] share)
      throws StorageException {
    return server.publishMutableShare(new MutableSharePublication(si, sh, share),
        LeaseSecrets.random());
  }

  private void assertRefused(Reason reason, StorageIndex si, ShareNumber sh, byte[] share) {
    PublishRefusedException e =
        assertThrows(PublishRefusedException.class, () -> publish(si, sh, share));
    assertEquals(reason, e.reason(), e.getMessage());
  }

  private byte[] readAll(StorageIndex si, ShareNumber sh) throws StorageException {
    ByteBuffer b = server.read(si, sh, 0, StorageServer.MAX_READ_LENGTH);
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  private WriteEnablerRebind rebind(KeyPair key, StorageIndex si, ServerId to, WriteEnabler we,
      long seqnum) {
    return new WriteEnablerRebind(si, to, we, seqnum,
        sign(key, WriteEnablerRebind.signedMessage(si, to, we, seqnum)));
  }

  private static WriteEnabler enabler(int seed) {
    byte[] b = new byte[32];
    java.util.Arrays.fill(b, (byte) seed);
    return WriteEnabler.of(b);
  }

  private boolean writerCanWrite(StorageIndex si, WriteEnabler we, ShareNumber sh)
      throws StorageException {
    return server.testAndWrite(si, we, Map.of(sh, new ShareTestAndWrite(List.of(),
        List.of(), OptionalLong.empty())), List.of(), LeaseSecrets.random()).success();
  }

  // ------------------------------------------------------------------ accepting

  @Test
  void validShareCreatesAFreshSlotAndReadsBackExactly() throws Exception {
    StorageIndex si = randomSi();
    byte[] share = sdmfShare(KEY_A, 1, root(1), new byte[] {1, 2, 3});
    assertEquals(PublicationResult.CREATED_SLOT, publish(si, SH0, share));
    assertArrayEquals(share, readAll(si, SH0));
    assertEquals(1, server.listShares(si).size());
  }

  @Test
  void identicalRetryIsAcceptedAsAlreadyPresent() throws Exception {
    StorageIndex si = randomSi();
    byte[] share = sdmfShare(KEY_A, 1, root(1), new byte[] {1, 2, 3});
    publish(si, SH0, share);
    assertEquals(PublicationResult.ALREADY_PRESENT, publish(si, SH0, share));
  }

  @Test
  void sameVersionFillsAnotherShareNumber() throws Exception {
    StorageIndex si = randomSi();
    publish(si, SH0, sdmfShare(KEY_A, 1, root(1), new byte[] {1}));
    assertEquals(PublicationResult.WRITTEN, publish(si, SH1, sdmfShare(KEY_A, 1, root(1),
        new byte[] {2})));
    assertEquals(2, server.listShares(si).size());
  }

  @Test
  void newerVersionReplacesAStaleShareAndDropsItsTail() throws Exception {
    StorageIndex si = randomSi();
    publish(si, SH0, sdmfShare(KEY_A, 1, root(1), new byte[500]));
    byte[] newer = sdmfShare(KEY_A, 2, root(2), new byte[] {9});
    assertEquals(PublicationResult.WRITTEN, publish(si, SH0, newer));
    assertArrayEquals(newer, readAll(si, SH0));
  }

  @Test
  void invalidShareInTheSlotCanBeReplaced() throws Exception {
    StorageIndex si = randomSi();
    WriteEnabler we = enabler(7);
    byte[] garbage = new byte[300];
    random.nextBytes(garbage);
    assertTrue(server.testAndWrite(si, we, Map.of(SH0, new ShareTestAndWrite(
        List.of(TestVector.mustBeEmpty()), List.of(new WriteVector(0, garbage)),
        OptionalLong.empty())), List.of(), LeaseSecrets.random()).success());
    byte[] good = sdmfShare(KEY_A, 3, root(3), new byte[] {4, 5});
    assertEquals(PublicationResult.WRITTEN, publish(si, SH0, good));
    assertArrayEquals(good, readAll(si, SH0));
    assertTrue(writerCanWrite(si, we, SH0), "the writer's enabler must survive a repair");
  }

  // ------------------------------------------------------------------ refusing

  @Test
  void forgedSignatureIsRefused() throws Exception {
    StorageIndex si = randomSi();
    byte[] share = sdmfShare(KEY_A, 1, root(1), new byte[] {1, 2, 3});
    byte[] badSig = share.clone();
    badSig[107 + 294 + 10] ^= 1;
    assertRefused(Reason.BAD_SIGNATURE, si, SH0, badSig);
    byte[] badSeq = share.clone();
    badSeq[8] ^= 1;
    assertRefused(Reason.BAD_SIGNATURE, si, SH0, badSeq);
    assertTrue(server.listShares(si).isEmpty());
  }

  @Test
  void malformedOrWrongLengthShareIsRefused() throws Exception {
    StorageIndex si = randomSi();
    byte[] share = sdmfShare(KEY_A, 1, root(1), new byte[] {1, 2, 3});
    assertRefused(Reason.MALFORMED, si, SH0, java.util.Arrays.copyOf(share, share.length - 1));
    assertRefused(Reason.MALFORMED, si, SH0, java.util.Arrays.copyOf(share, share.length + 5));
    byte[] wrongVersion = share.clone();
    wrongVersion[0] = 9;
    assertRefused(Reason.MALFORMED, si, SH0, wrongVersion);
    assertRefused(Reason.MALFORMED, si, SH0, new byte[] {0});
  }

  @Test
  void shareUnderAnotherKeyIsRefused() throws Exception {
    StorageIndex si = randomSi();
    publish(si, SH0, sdmfShare(KEY_A, 1, root(1), new byte[] {1}));
    assertRefused(Reason.KEY_MISMATCH, si, SH1, sdmfShare(KEY_B, 5, root(5), new byte[] {1}));
    assertRefused(Reason.KEY_MISMATCH, si, SH0, sdmfShare(KEY_B, 5, root(5), new byte[] {1}));
  }

  @Test
  void rolledBackShareIsRefused() throws Exception {
    StorageIndex si = randomSi();
    byte[] old = sdmfShare(KEY_A, 1, root(1), new byte[] {1});
    publish(si, SH0, old);
    publish(si, SH0, sdmfShare(KEY_A, 2, root(2), new byte[] {2}));
    assertRefused(Reason.ROLLBACK, si, SH0, old);
    assertRefused(Reason.ROLLBACK, si, SH1, old);
  }

  @Test
  void secondVersionAtTheSameSeqnumIsRefused() throws Exception {
    StorageIndex si = randomSi();
    publish(si, SH0, sdmfShare(KEY_A, 4, root(1), new byte[] {1}));
    assertRefused(Reason.CONFLICT, si, SH1, sdmfShare(KEY_A, 4, root(2), new byte[] {1}));
  }

  @Test
  void validSameVersionShareIsNotOverwrittenWithDifferentBytes() throws Exception {
    StorageIndex si = randomSi();
    byte[] first = sdmfShare(KEY_A, 1, root(1), new byte[] {1});
    publish(si, SH0, first);
    assertRefused(Reason.CONFLICT, si, SH0, sdmfShare(KEY_A, 1, root(1), new byte[] {2}));
    assertArrayEquals(first, readAll(si, SH0));
  }

  // ------------------------------------------------------------------ write enablers

  @Test
  void slotCreatedByAuthorityAcceptsNoEnablerUntilRebound() throws Exception {
    StorageIndex si = randomSi();
    publish(si, SH0, sdmfShare(KEY_A, 1, root(1), new byte[] {1}));
    assertThrows(WriteEnablerMismatchException.class, () -> writerCanWrite(si, enabler(3), SH0));
    assertThrows(WriteEnablerMismatchException.class,
        () -> writerCanWrite(si, WriteEnabler.of(new byte[32]), SH0));
  }

  @Test
  void writerRebindsWithASignatureAndThenWritesWithItsEnabler() throws Exception {
    StorageIndex si = randomSi();
    publish(si, SH0, sdmfShare(KEY_A, 6, root(6), new byte[] {1}));
    publish(si, SH1, sdmfShare(KEY_A, 6, root(6), new byte[] {2}));
    WriteEnabler we = enabler(0x42);
    server.rebindWriteEnabler(rebind(KEY_A, si, server.id(), we, 6));
    assertTrue(writerCanWrite(si, we, SH0));
    assertTrue(writerCanWrite(si, we, SH1));
  }

  @Test
  void rebindSignedByAnotherKeyIsRefused() throws Exception {
    StorageIndex si = randomSi();
    publish(si, SH0, sdmfShare(KEY_A, 1, root(1), new byte[] {1}));
    PublishRefusedException e = assertThrows(PublishRefusedException.class,
        () -> server.rebindWriteEnabler(rebind(KEY_B, si, server.id(), enabler(1), 1)));
    assertEquals(Reason.BAD_SIGNATURE, e.reason());
  }

  @Test
  void replayedRebindIsRefusedOnceTheSlotMovedOn() throws Exception {
    StorageIndex si = randomSi();
    publish(si, SH0, sdmfShare(KEY_A, 1, root(1), new byte[] {1}));
    WriteEnablerRebind first = rebind(KEY_A, si, server.id(), enabler(1), 1);
    server.rebindWriteEnabler(first);
    publish(si, SH0, sdmfShare(KEY_A, 2, root(2), new byte[] {2}));
    server.rebindWriteEnabler(rebind(KEY_A, si, server.id(), enabler(2), 2));
    PublishRefusedException e = assertThrows(PublishRefusedException.class,
        () -> server.rebindWriteEnabler(first));
    assertEquals(Reason.STALE, e.reason());
    assertTrue(writerCanWrite(si, enabler(2), SH0));
  }

  @Test
  void rebindMeantForAnotherServerIsRefused() throws Exception {
    StorageIndex si = randomSi();
    publish(si, SH0, sdmfShare(KEY_A, 1, root(1), new byte[] {1}));
    byte[] other = server.id().toBytes();
    other[0] ^= 1;
    PublishRefusedException e = assertThrows(PublishRefusedException.class,
        () -> server.rebindWriteEnabler(rebind(KEY_A, si, ServerId.of(other), enabler(1), 1)));
    assertEquals(Reason.STALE, e.reason());
  }

  @Test
  void rebindOfAnEmptySlotIsRefused() {
    StorageIndex si = randomSi();
    PublishRefusedException e = assertThrows(PublishRefusedException.class,
        () -> server.rebindWriteEnabler(rebind(KEY_A, si, server.id(), enabler(1), 1)));
    assertEquals(Reason.NO_SLOT, e.reason());
  }

  @Test
  void publishingIntoAWriterBoundSlotKeepsTheWritersEnabler() throws Exception {
    StorageIndex si = randomSi();
    WriteEnabler we = enabler(9);
    byte[] v1 = sdmfShare(KEY_A, 1, root(1), new byte[] {1});
    assertTrue(server.testAndWrite(si, we, Map.of(SH0, new ShareTestAndWrite(
        List.of(TestVector.mustBeEmpty()), List.of(new WriteVector(0, v1)),
        OptionalLong.empty())), List.of(), LeaseSecrets.random()).success());
    assertNotNull(publish(si, SH1, sdmfShare(KEY_A, 1, root(1), new byte[] {2})));
    assertTrue(writerCanWrite(si, we, SH0));
    assertTrue(writerCanWrite(si, we, SH1));
  }
}
