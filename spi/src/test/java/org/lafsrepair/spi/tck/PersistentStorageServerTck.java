package org.lafsrepair.spi.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.lafsrepair.spi.ImmutableUpload;
import org.lafsrepair.spi.LeaseSecrets;
import org.lafsrepair.spi.ServerId;
import org.lafsrepair.spi.ShareKind;
import org.lafsrepair.spi.StorageIndex;
import org.lafsrepair.spi.StorageServer;
import org.lafsrepair.spi.WriteEnabler;
import org.lafsrepair.spi.WriteEnablerMismatchException;

/**
 * The {@link StorageServerTck} plus restart checks for durable backends: {@link #reopen} closes a
 * server and opens the same storage again, as a process restart would.
 */
public abstract class PersistentStorageServerTck extends StorageServerTck {
  /** Closes {@code old} and opens a new server over the same storage. */
  protected abstract StorageServer reopen(StorageServer old) throws Exception;

  private void restart() throws Exception {
    server = reopen(server);
  }

  @Test
  void identitySurvivesRestart() throws Exception {
    ServerId id = server.id();
    byte[] seed = server.permutationSeed();
    restart();
    assertEquals(id, server.id());
    assertArrayEquals(seed, server.permutationSeed());
  }

  @Test
  void committedImmutableShareSurvivesRestart() throws Exception {
    StorageIndex si = randomSi();
    byte[] data = randomBytes(5000);
    putImmutable(si, SH1, data);
    restart();
    assertEquals(Set.of(SH1), listed(si));
    assertEquals(ShareKind.IMMUTABLE, info(si, SH1).kind());
    assertArrayEquals(data, readAll(si, SH1));
  }

  @Test
  void abandonedUploadIsGoneAfterRestart() throws Exception {
    StorageIndex si = randomSi();
    ImmutableUpload u = server.allocate(si, SH0, 100, LeaseSecrets.random());
    u.write(0, ByteBuffer.wrap(randomBytes(60)));
    // Neither commit nor abort: the process "dies" with the upload open.
    restart();
    assertEquals(List.of(), server.listShares(si));
    putImmutable(si, SH0, randomBytes(100));
    assertEquals(Set.of(SH0), listed(si));
  }

  @Test
  void uploadOverAShareCommittedBeforeARestartIsRefused() throws Exception {
    StorageIndex si = randomSi();
    byte[] data = randomBytes(300);
    putImmutable(si, SH0, data);
    restart();
    assertUploadRefused(si, SH0, randomBytes(300));
    assertEquals(Set.of(SH0), listed(si));
    assertArrayEquals(data, readAll(si, SH0));
  }

  @Test
  void mutableShareAndItsWriteEnablerSurviveRestart() throws Exception {
    StorageIndex si = randomSi();
    WriteEnabler we = enabler(7);
    putMutable(si, we, SH0, ascii("persistent"));
    restart();
    assertArrayEquals(ascii("persistent"), readAll(si, SH0));
    assertThrows(WriteEnablerMismatchException.class,
        () -> write(si, enabler(8), SH0, writeAt(0, ascii("x"))));
    assertTrue(write(si, we, SH0, writeAt(10, ascii("!"))).success());
    assertArrayEquals(ascii("persistent!"), readAll(si, SH0));
  }
}
