package org.lafsrepair.backend.disk;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import org.lafsrepair.spi.Base32;
import org.lafsrepair.spi.InvalidRequestException;
import org.lafsrepair.spi.ServerId;
import org.lafsrepair.spi.StorageException;

/**
 * A server directory's identity: {@code my_nodeid} (20 bytes, lowercase base32, optional trailing
 * newline, as a Tahoe node writes it) and the optional {@code permutation-seed} (base32).
 */
final class ServerIdentity {
  static final String NODEID_FILE = "my_nodeid";
  static final String SEED_FILE = "permutation-seed";
  private static final SecureRandom RANDOM = new SecureRandom();

  private ServerIdentity() {}

  /** Reads {@code my_nodeid}, or makes a random id and publishes it atomically if absent. */
  static ServerId loadOrCreate(Path serverDir) throws StorageException {
    Path file = serverDir.resolve(NODEID_FILE);
    ServerId existing = read(file);
    if (existing != null) {
      return existing;
    }
    byte[] b = new byte[ServerId.LENGTH];
    RANDOM.nextBytes(b);
    ServerId id = ServerId.of(b);
    Path tmp = serverDir.resolve("." + NODEID_FILE + ".tmp-" + Long.toHexString(RANDOM.nextLong()));
    try {
      Files.write(tmp, (id.toBase32() + "\n").getBytes(StandardCharsets.US_ASCII),
          StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.SYNC);
      try {
        // A hard link fails if the name exists, so two processes racing here agree on one id.
        Files.createLink(file, tmp);
        DiskIo.fsyncDirectory(serverDir);
      } catch (FileAlreadyExistsException raced) {
        // Another process won; use its id.
      } catch (UnsupportedOperationException | IOException noLinks) {
        if (!Files.exists(file)) {
          Files.move(tmp, file);
          DiskIo.fsyncDirectory(serverDir);
        }
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw DiskIo.map(e, serverDir + ": writing " + NODEID_FILE);
    }
    ServerId stored = read(file);
    if (stored == null) {
      throw new StorageException(serverDir + ": " + NODEID_FILE + " vanished after it was written");
    }
    return stored;
  }

  /** The permutation seed from {@code permutation-seed}, or the id's bytes. */
  static byte[] permutationSeed(Path serverDir, ServerId id) throws StorageException {
    Path file = serverDir.resolve(SEED_FILE);
    try {
      String s = Files.readString(file, StandardCharsets.US_ASCII).strip();
      if (s.isEmpty() || s.length() > 1024) {
        throw new InvalidRequestException(file + ": permutation seed must be 1..1024 base32 characters");
      }
      return Base32.decode(s);
    } catch (NoSuchFileException e) {
      return id.toBytes();
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException(file + ": " + e.getMessage(), e);
    } catch (IOException e) {
      throw DiskIo.map(e, file.toString());
    }
  }

  private static ServerId read(Path file) throws StorageException {
    String s;
    try {
      if (Files.size(file) > 100) {
        throw new InvalidRequestException(file + ": too long for a node id");
      }
      s = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      throw DiskIo.map(e, file.toString());
    }
    if (s.endsWith("\n")) {
      s = s.substring(0, s.length() - 1);
    }
    if (s.endsWith("\r")) {
      s = s.substring(0, s.length() - 1);
    }
    try {
      return ServerId.parse(s);
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException(file + ": " + e.getMessage(), e);
    }
  }
}
