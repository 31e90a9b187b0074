package org.lafsrepair.mutable;

import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Hostile bytes never escape the parser as anything but a typed exception. */
class MutableShareParserProperties {
  @Property(tries = 500)
  void randomBytesParseOrFailTyped(@ForAll @Size(max = 3000) byte[] data) {
    parseTyped(data);
  }

  @Property(tries = 300)
  void randomHeaderAfterValidVersionByte(
      @ForAll("versionByte") byte version, @ForAll @Size(min = 120, max = 2400) byte[] data) {
    data[0] = version;
    parseTyped(data);
  }

  @Property(tries = 400)
  void damagedCorpusSharesParseOrFailTyped(
      @ForAll @IntRange(min = 0, max = 49) int which, @ForAll @IntRange(min = 0, max = 200000) int at,
      @ForAll byte xor, @ForAll @IntRange(min = 0, max = 4) int mode) {
    byte[] data = pick(which).clone();
    int pos = at % Math.min(data.length, mode == 0 ? 130 : data.length);
    switch (mode) {
      case 0, 1 -> data[pos] ^= (byte) (xor == 0 ? 1 : xor);
      case 2 -> data = Arrays.copyOf(data, pos);
      case 3 -> Arrays.fill(data, pos, Math.min(data.length, pos + 8), (byte) 0xff);
      default -> data = Arrays.copyOf(data, data.length + 100);
    }
    parseTyped(data);
  }

  @Provide
  Arbitrary<Byte> versionByte() {
    return Arbitraries.of((byte) 0, (byte) 1);
  }

  private static byte[] pick(int i) {
    int seen = 0;
    for (MutableCorpus.Case c : MutableCorpus.cases()) {
      for (MutableCorpus.Version v : c.versions()) {
        for (MutableCorpus.Share s : v.shares()) {
          if (seen++ == i) {
            return s.data();
          }
        }
      }
    }
    throw new IllegalStateException("no share " + i);
  }

  private static void parseTyped(byte[] data) {
    try {
      MutableShare share = MutableShare.parse(data);
      org.lafsrepair.internal.share.ShareSource src = org.lafsrepair.internal.share.ShareSource.of(data);
      for (int i = 0; i < share.prefix().numSegments(); i++) {
        share.readSegment(src, i);
      }
    } catch (CorruptMutableShareException expected) {
      // typed: fine
    } catch (org.lafsrepair.spi.StorageException e) {
      throw new AssertionError(e);
    }
  }
}
