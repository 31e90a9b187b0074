package org.lafsrepair.spi;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A writer's signed request to set the write enabler of its slot on one server (after a repairer
 * created or filled the slot through publish authority). The signature is RSA-PSS-SHA256 (salt
 * 32) by the file's signing key over {@link #signedMessage}: the server id and the slot's current
 * seqnum make it useless on another server or once the file has moved on.
 */
public final class WriteEnablerRebind {
  /** Domain separation for the signed message. */
  public static final String DOMAIN = "lafs-repair:rebind-write-enabler:v1\n";

  private final StorageIndex si;
  private final ServerId server;
  private final WriteEnabler enabler;
  private final long seqnum;
  private final byte[] signature;

  public WriteEnablerRebind(
      StorageIndex si, ServerId server, WriteEnabler enabler, long seqnum, byte[] signature) {
    this.si = Objects.requireNonNull(si, "si");
    this.server = Objects.requireNonNull(server, "server");
    this.enabler = Objects.requireNonNull(enabler, "enabler");
    this.seqnum = seqnum;
    this.signature = Objects.requireNonNull(signature, "signature").clone();
  }

  /** The bytes the writer signs: domain, SI (16), server id (20), seqnum (u64), enabler (32). */
  public static byte[] signedMessage(
      StorageIndex si, ServerId server, WriteEnabler enabler, long seqnum) {
    byte[] domain = DOMAIN.getBytes(StandardCharsets.US_ASCII);
    return ByteBuffer.allocate(domain.length + StorageIndex.LENGTH + ServerId.LENGTH + 8
            + WriteEnabler.LENGTH)
        .put(domain).put(si.toBytes()).put(server.toBytes()).putLong(seqnum)
        .put(enabler.toBytes()).array();
  }

  public byte[] signedMessage() {
    return signedMessage(si, server, enabler, seqnum);
  }

  public StorageIndex storageIndex() {
    return si;
  }

  public ServerId server() {
    return server;
  }

  public WriteEnabler enabler() {
    return enabler;
  }

  /** The seqnum of the newest version the slot holds, as the writer saw it. */
  public long seqnum() {
    return seqnum;
  }

  public byte[] signature() {
    return signature.clone();
  }

  @Override
  public String toString() {
    return "WriteEnablerRebind[" + si + " on " + server + ", seq " + seqnum + "]";
  }
}
