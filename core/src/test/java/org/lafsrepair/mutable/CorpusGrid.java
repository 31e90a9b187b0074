package org.lafsrepair.mutable;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.lafsrepair.spi.Base32;
import org.lafsrepair.spi.LeaseSecrets;
import org.lafsrepair.spi.ServerId;
import org.lafsrepair.spi.ShareNumber;
import org.lafsrepair.spi.ShareTestAndWrite;
import org.lafsrepair.spi.StorageException;
import org.lafsrepair.spi.StorageServer;
import org.lafsrepair.spi.TestVector;
import org.lafsrepair.spi.WriteEnabler;
import org.lafsrepair.spi.WriteVector;
import org.lafsrepair.spi.authority.MutableShareIntegrity;
import org.lafsrepair.spi.memory.MemoryStorageServer;

/** In-memory servers with the corpus's node ids, loaded with a corpus version's shares. */
final class CorpusGrid {
  final MutableCorpus.Case c;
  final List<MemoryStorageServer> servers = new ArrayList<>();

  CorpusGrid(MutableCorpus.Case c) {
    this(c, null);
  }

  CorpusGrid(MutableCorpus.Case c, MutableShareIntegrity integrity) {
    this.c = c;
    for (String id : c.serverIds()) {
      MemoryStorageServer.Builder b = MemoryStorageServer.builder().id(MutableCorpus.serverId(id));
      if (integrity != null) {
        b.shareIntegrity(integrity);
      }
      servers.add(b.build());
    }
  }

  /** Loads a version's shares with the write enablers recorded in their containers. */
  CorpusGrid load(MutableCorpus.Version v) throws StorageException {
    for (MutableCorpus.Share s : v.shares()) {
      put(server(s.serverIdB32()), c.si(), s.shnum(), s.data(),
          WriteEnabler.of(Arrays.copyOfRange(s.container(), 52, 84)));
    }
    return this;
  }

  static void put(StorageServer server, org.lafsrepair.spi.StorageIndex si, int shnum, byte[] data,
      WriteEnabler we) throws StorageException {
    var r = server.testAndWrite(si, we, Map.of(ShareNumber.of(shnum),
        new ShareTestAndWrite(List.of(), List.of(new WriteVector(0, data)),
            OptionalLong.of(data.length))), List.of(), LeaseSecrets.random());
    if (!r.success()) {
      throw new IllegalStateException("write refused");
    }
  }

  MemoryStorageServer server(String idB32) {
    ServerId id = MutableCorpus.serverId(idB32);
    return servers.stream().filter(s -> s.id().equals(id)).findFirst().orElseThrow();
  }

  MemoryStorageServer holderOf(int shnum) {
    return server(c.current().shares().get(shnum).serverIdB32());
  }

  /** Keys from the corpus caps. */
  static MutableFileKeys verifyKeys(MutableCorpus.Case c) {
    String[] f = c.verifyCap().split(":");
    return MutableFileKeys.forVerify(org.lafsrepair.spi.StorageIndex.parse(f[2]), Base32.decode(f[3]));
  }

  static MutableFileKeys readKeys(MutableCorpus.Case c) {
    String[] f = c.readCap().split(":");
    return MutableFileKeys.forRead(Base32.decode(f[2]), Base32.decode(f[3]));
  }

  static MutableFileKeys writeKeys(MutableCorpus.Case c) {
    String[] f = c.writeCap().split(":");
    return MutableFileKeys.forWrite(Base32.decode(f[2]), Base32.decode(f[3]));
  }
}
