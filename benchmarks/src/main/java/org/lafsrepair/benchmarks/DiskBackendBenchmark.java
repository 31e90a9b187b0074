package org.lafsrepair.benchmarks;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.lafsrepair.backend.disk.DiskStorageServer;
import org.lafsrepair.spi.ImmutableUpload;
import org.lafsrepair.spi.LeaseSecrets;
import org.lafsrepair.spi.ShareInfo;
import org.lafsrepair.spi.ShareKind;
import org.lafsrepair.spi.ShareNumber;
import org.lafsrepair.spi.StorageException;
import org.lafsrepair.spi.StorageIndex;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Sequential write and read of a 1 MiB immutable share through {@link DiskStorageServer} against
 * a raw {@link FileChannel} doing the same I/O on the same file system, in 128 KiB pieces (about
 * one block of a 3-of-N share per piece). Durable writes on both sides: the backend's commit
 * fsyncs the file, renames it out of {@code incoming/} and fsyncs the directories it changed;
 * {@code rawWrite} writes and fsyncs one file, {@code rawWriteDurable} also fsyncs its directory
 * (what a durable create needs), and {@code rawWriteNoSync} shows what durability costs here.
 *
 * <p>{@code listShares} (a storage index holding one share), {@code listSharesAbsent} (holding
 * none) and {@code rawListing} (the same directory listing and header read done with bare JDK
 * calls) measure what a check costs each server.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar DiskBackendBenchmark}. The directory
 * is {@code -Dlafsrepair.bench.dir} or a temporary directory (use a real disk, not tmpfs).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class DiskBackendBenchmark {
  private static final int SHARE = 1 << 20;
  private static final ShareNumber SH = ShareNumber.of(0);

  @Param({"131072"})
  int chunk;

  private Path root;
  private DiskStorageServer server;
  private byte[] data;
  private StorageIndex readSi;
  private Path rawReadFile;
  private Path readBucket;
  private StorageIndex absentSi;
  private Path rawDir;
  private long counter;
  private StorageIndex lastWritten;
  private ShareNumber lastWrittenShare = SH;
  private StorageIndex busySi;
  private Path lastRaw;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    String dir = System.getProperty("lafsrepair.bench.dir");
    root = dir != null ? Files.createTempDirectory(Path.of(dir), "diskbench") : Files.createTempDirectory("diskbench");
    server = DiskStorageServer.open(root.resolve("server"));
    rawDir = Files.createDirectories(root.resolve("raw"));
    data = new byte[SHARE];
    new Random(1).nextBytes(data);
    readSi = si(Long.MAX_VALUE);
    writeShare(readSi, SH);
    // A storage index that already holds a share, so new shares of it find their directory made.
    busySi = si(Long.MAX_VALUE - 1);
    writeShare(busySi, ShareNumber.of(255));
    String b32 = readSi.toBase32();
    readBucket = root.resolve("server/storage/shares").resolve(b32.substring(0, 2)).resolve(b32);
    absentSi = si(Long.MAX_VALUE - 2);
    rawReadFile = rawDir.resolve("read");
    try (FileChannel ch = FileChannel.open(rawReadFile, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(data));
      ch.force(true);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    server.close();
    try (Stream<Path> walk = Files.walk(root)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  /** Removes what the previous write made, outside the measurement, so the disk does not fill. */
  @TearDown(Level.Invocation)
  public void cleanUp() throws Exception {
    if (lastWritten != null) {
      server.deleteShare(lastWritten, lastWrittenShare, ShareKind.IMMUTABLE);
      lastWritten = null;
      lastWrittenShare = SH;
    }
    if (lastRaw != null) {
      Files.deleteIfExists(lastRaw);
      lastRaw = null;
    }
  }

  private static StorageIndex si(long n) {
    byte[] b = new byte[StorageIndex.LENGTH];
    ByteBuffer.wrap(b).putLong(8, n).putLong(0, n * 0x9E3779B97F4A7C15L);
    return StorageIndex.of(b);
  }

  private void writeShare(StorageIndex si, ShareNumber sh) throws StorageException {
    try (ImmutableUpload u = server.allocate(si, sh, SHARE, LeaseSecrets.random())) {
      for (int off = 0; off < SHARE; off += chunk) {
        u.write(off, ByteBuffer.wrap(data, off, chunk));
      }
      u.commit();
    }
  }

  @Benchmark
  public void diskWrite() throws StorageException {
    StorageIndex si = si(counter++);
    writeShare(si, SH);
    lastWritten = si;
  }

  /** A share of a storage index the server already holds a share of (its directory exists). */
  public void diskWriteIntoExistingBucket() throws StorageException {
    ShareNumber sh = ShareNumber.of((int) (counter++ % 255));
    writeShare(busySi, sh);
    lastWritten = busySi;
    lastWrittenShare = sh;
  }

  @Benchmark
  public void rawWrite() throws IOException {
    Path f = rawDir.resolve("w" + counter++);
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      for (int off = 0; off < SHARE; off += chunk) {
        ByteBuffer b = ByteBuffer.wrap(data, off, chunk);
        long p = off;
        while (b.hasRemaining()) {
          p += ch.write(b, p);
        }
      }
      ch.force(true);
    }
    lastRaw = f;
  }

  /** A durable create as an application would do it: data fsync, then the directory entry's. */
  @Benchmark
  public void rawWriteDurable() throws IOException {
    Path f = rawDir.resolve("d" + counter++);
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      for (int off = 0; off < SHARE; off += chunk) {
        ByteBuffer b = ByteBuffer.wrap(data, off, chunk);
        long p = off;
        while (b.hasRemaining()) {
          p += ch.write(b, p);
        }
      }
      ch.force(true);
    }
    try (FileChannel dir = FileChannel.open(rawDir, StandardOpenOption.READ)) {
      dir.force(true);
    }
    lastRaw = f;
  }

  /**
   * The least a crash-safe store can do to publish a file atomically: write a temporary file,
   * fsync it, rename it into place, fsync the directory (two journal commits, where {@link
   * #rawWriteDurable} needs one and leaves a partial file visible after a crash).
   */
  @Benchmark
  public void rawWriteAtomic() throws IOException {
    Path tmp = rawDir.resolve("t" + counter);
    Path f = rawDir.resolve("a" + counter++);
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      for (int off = 0; off < SHARE; off += chunk) {
        ByteBuffer b = ByteBuffer.wrap(data, off, chunk);
        long p = off;
        while (b.hasRemaining()) {
          p += ch.write(b, p);
        }
      }
      ch.force(true);
    }
    Files.move(tmp, f, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    try (FileChannel dir = FileChannel.open(rawDir, StandardOpenOption.READ)) {
      dir.force(true);
    }
    lastRaw = f;
  }

  @Benchmark
  public void rawWriteNoSync() throws IOException {
    Path f = rawDir.resolve("n" + counter++);
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      for (int off = 0; off < SHARE; off += chunk) {
        ByteBuffer b = ByteBuffer.wrap(data, off, chunk);
        long p = off;
        while (b.hasRemaining()) {
          p += ch.write(b, p);
        }
      }
    }
    lastRaw = f;
  }

  @Benchmark
  public void diskRead(Blackhole bh) throws StorageException {
    for (long off = 0; off < SHARE; off += chunk) {
      bh.consume(server.read(readSi, SH, off, chunk));
    }
  }

  /** What a check asks every server: the shares of a storage index, here one (1 MiB) share. */
  @Benchmark
  public List<ShareInfo> listShares() throws StorageException {
    return server.listShares(readSi);
  }

  /** The same for a storage index the server holds nothing of (most servers of a large grid). */
  @Benchmark
  public List<ShareInfo> listSharesAbsent() throws StorageException {
    return server.listShares(absentSi);
  }

  /**
   * The least the file system must do for {@link #listShares}'s answer: list the storage index's
   * directory, then open each share, take its size, read its 12-byte header and close it.
   */
  @Benchmark
  public long rawListing() throws IOException {
    String[] names = readBucket.toFile().list();
    long sum = 0;
    if (names != null) {
      for (String n : names) {
        try (FileChannel ch = FileChannel.open(readBucket.resolve(n), StandardOpenOption.READ)) {
          ByteBuffer b = ByteBuffer.allocate(12);
          ch.read(b, 0);
          sum += ch.size() - 12 - 72L * b.getInt(8);
        }
      }
    }
    return sum;
  }

  @Benchmark
  public void rawRead(Blackhole bh) throws IOException {
    try (FileChannel ch = FileChannel.open(rawReadFile, StandardOpenOption.READ)) {
      for (long off = 0; off < SHARE; off += chunk) {
        ByteBuffer b = ByteBuffer.allocate(chunk);
        long p = off;
        while (b.hasRemaining()) {
          int n = ch.read(b, p);
          if (n < 0) {
            break;
          }
          p += n;
        }
        bh.consume(b);
      }
    }
  }

  /**
   * Time spent in each of two alternating variants. On a shared, loaded machine the separate
   * benchmarks above run minutes apart under different load; here the two take turns within
   * milliseconds, so the ratio {@code rawNanos / diskNanos} is fair. Totals per iteration.
   */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.EVENTS)
  public static class Paired {
    public long diskNanos;
    public long rawNanos;
    long turns;

    @Setup(Level.Iteration)
    public void reset() {
      diskNanos = 0;
      rawNanos = 0;
    }

    void add(boolean diskFirst, long t0, long t1, long t2) {
      diskNanos += diskFirst ? t1 - t0 : t2 - t1;
      rawNanos += diskFirst ? t2 - t1 : t1 - t0;
    }
  }

  /** One backend upload (durable commit) and one durable raw create, order alternating. */
  @Benchmark
  public void pairedWriteVsDurable(Paired p) throws Exception {
    boolean diskFirst = (p.turns++ & 1) == 0;
    long t0 = System.nanoTime();
    if (diskFirst) {
      diskWrite();
    } else {
      rawWriteDurable();
    }
    long t1 = System.nanoTime();
    if (diskFirst) {
      rawWriteDurable();
    } else {
      diskWrite();
    }
    p.add(diskFirst, t0, t1, System.nanoTime());
  }

  /**
   * As {@link #pairedWriteVsDurable}, but the backend's share joins a storage index directory
   * that already exists (a second share on one server, a replacement), as the raw file does.
   */
  @Benchmark
  public void pairedWriteExistingBucketVsDurable(Paired p) throws Exception {
    boolean diskFirst = (p.turns++ & 1) == 0;
    long t0 = System.nanoTime();
    if (diskFirst) {
      diskWriteIntoExistingBucket();
    } else {
      rawWriteDurable();
    }
    long t1 = System.nanoTime();
    if (diskFirst) {
      rawWriteDurable();
    } else {
      diskWriteIntoExistingBucket();
    }
    p.add(diskFirst, t0, t1, System.nanoTime());
  }

  /** A backend upload into an existing bucket and one raw atomic publish, order alternating. */
  @Benchmark
  public void pairedWriteExistingBucketVsAtomic(Paired p) throws Exception {
    boolean diskFirst = (p.turns++ & 1) == 0;
    long t0 = System.nanoTime();
    if (diskFirst) {
      diskWriteIntoExistingBucket();
    } else {
      rawWriteAtomic();
    }
    long t1 = System.nanoTime();
    if (diskFirst) {
      rawWriteAtomic();
    } else {
      diskWriteIntoExistingBucket();
    }
    p.add(diskFirst, t0, t1, System.nanoTime());
  }

  /** A backend upload into a new storage index and one raw atomic publish, order alternating. */
  @Benchmark
  public void pairedWriteVsAtomic(Paired p) throws Exception {
    boolean diskFirst = (p.turns++ & 1) == 0;
    long t0 = System.nanoTime();
    if (diskFirst) {
      diskWrite();
    } else {
      rawWriteAtomic();
    }
    long t1 = System.nanoTime();
    if (diskFirst) {
      rawWriteAtomic();
    } else {
      diskWrite();
    }
    p.add(diskFirst, t0, t1, System.nanoTime());
  }

  /** One backend upload and one raw write with a file fsync only, order alternating. */
  @Benchmark
  public void pairedWriteVsFsync(Paired p) throws Exception {
    boolean diskFirst = (p.turns++ & 1) == 0;
    long t0 = System.nanoTime();
    if (diskFirst) {
      diskWrite();
    } else {
      rawWrite();
    }
    long t1 = System.nanoTime();
    if (diskFirst) {
      rawWrite();
    } else {
      diskWrite();
    }
    p.add(diskFirst, t0, t1, System.nanoTime());
  }

  /** One backend read of the share and one raw read, order alternating. */
  @Benchmark
  public void pairedRead(Paired p, Blackhole bh) throws Exception {
    boolean diskFirst = (p.turns++ & 1) == 0;
    long t0 = System.nanoTime();
    if (diskFirst) {
      diskRead(bh);
    } else {
      rawRead(bh);
    }
    long t1 = System.nanoTime();
    if (diskFirst) {
      rawRead(bh);
    } else {
      diskRead(bh);
    }
    p.add(diskFirst, t0, t1, System.nanoTime());
  }
}
