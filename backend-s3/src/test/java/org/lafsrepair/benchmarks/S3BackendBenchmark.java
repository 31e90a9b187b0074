package org.lafsrepair.benchmarks;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.lafsrepair.backend.s3.S3MockServer;
import org.lafsrepair.backend.s3.S3StorageServer;
import org.lafsrepair.spi.ImmutableUpload;
import org.lafsrepair.spi.LeaseSecrets;
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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Upload and read of 1 MiB shares through {@link S3StorageServer} against the same bytes through
 * a plain SDK PutObject/GetObject loop, both on an S3Mock server running in the benchmark JVM
 * (loopback). One operation moves 1 MiB, so ops/s read as MiB/s.
 *
 * <p>It lives on backend-s3's test class path because S3Mock (Spring Boot) does not belong in the
 * shaded benchmarks jar. Run: see benchmarks/README.md ("S3 backend").
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xmx2g"})
public class S3BackendBenchmark {
  static final int SHARE = 1 << 20;
  static final ShareNumber SH0 = ShareNumber.of(0);

  S3MockServer mock;
  String bucket;
  S3StorageServer backend;
  S3Client sdk;
  byte[] data;
  StorageIndex readSi;
  final AtomicLong counter = new AtomicLong();

  @Setup(Level.Trial)
  public void start() throws StorageException {
    mock = S3MockServer.start();
    bucket = mock.createBucket();
    backend = mock.backend(bucket, "bench").maxAttempts(3).build();
    sdk = mock.newClient();
    data = new byte[SHARE];
    new Random(1).nextBytes(data);
    readSi = si(Long.MAX_VALUE);
    try (ImmutableUpload up = backend.allocate(readSi, SH0, SHARE, LeaseSecrets.random())) {
      up.write(0, ByteBuffer.wrap(data));
      up.commit();
    }
    sdk.putObject(b -> b.bucket(bucket).key("plain/read"), RequestBody.fromBytes(data));
  }

  /** Keeps the mock's disk use bounded: removes what the upload benchmarks wrote. */
  @TearDown(Level.Iteration)
  public void clean() {
    for (String prefix : List.of("bench/shares/", "plain/w/")) {
      List<S3Object> objs = sdk.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents()
          .stream().filter(o -> !o.key().contains(readSi.toBase32())).toList();
      for (int i = 0; i < objs.size(); i += 1000) {
        List<ObjectIdentifier> ids = objs.subList(i, Math.min(objs.size(), i + 1000)).stream()
            .map(o -> ObjectIdentifier.builder().key(o.key()).build()).toList();
        sdk.deleteObjects(b -> b.bucket(bucket).delete(d -> d.objects(ids)));
      }
    }
  }

  @TearDown(Level.Trial)
  public void stop() {
    backend.close();
    sdk.close();
    mock.close();
  }

  static StorageIndex si(long n) {
    byte[] b = new byte[16];
    for (int i = 0; i < 8; i++) {
      b[8 + i] = (byte) (n >>> (56 - 8 * i));
    }
    return StorageIndex.of(b);
  }

  @Benchmark
  public void backendUpload() throws StorageException {
    try (ImmutableUpload up = backend.allocate(si(counter.incrementAndGet()), SH0, SHARE, LeaseSecrets.random())) {
      up.write(0, ByteBuffer.wrap(data));
      up.commit();
    }
  }

  @Benchmark
  public void sdkPutObject() {
    String key = "plain/w/" + counter.incrementAndGet();
    sdk.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(data));
  }

  @Benchmark
  public ByteBuffer backendRead() throws StorageException {
    return backend.read(readSi, SH0, 0, SHARE);
  }

  @Benchmark
  public byte[] sdkGetObject() {
    return sdk.getObjectAsBytes(b -> b.bucket(bucket).key("plain/read")).asByteArrayUnsafe();
  }

  /**
   * Time spent in each of two alternating variants, for a paired comparison: on a shared, loaded
   * machine the separate benchmarks above run minutes apart under different load, while here both
   * variants take turns within milliseconds, so their ratio is fair. Reported totals per
   * iteration; MiB/s of a variant = ops / (nanos / 1e9) / 2 (each op runs both once).
   */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.EVENTS)
  public static class Paired {
    public long backendNanos;
    public long sdkNanos;
    long turns;

    @Setup(Level.Iteration)
    public void reset() {
      backendNanos = 0;
      sdkNanos = 0;
    }
  }

  /** One backend upload and one plain PutObject of the same MiB, order alternating. */
  @Benchmark
  public void pairedUpload(Paired p) throws StorageException {
    boolean backendFirst = (p.turns++ & 1) == 0;
    long t0 = System.nanoTime();
    if (backendFirst) {
      backendUpload();
    } else {
      sdkPutObject();
    }
    long t1 = System.nanoTime();
    if (backendFirst) {
      sdkPutObject();
    } else {
      backendUpload();
    }
    long t2 = System.nanoTime();
    p.backendNanos += backendFirst ? t1 - t0 : t2 - t1;
    p.sdkNanos += backendFirst ? t2 - t1 : t1 - t0;
  }

  /**
   * The request a backend upload of a small share sends, made directly through the SDK: one PUT
   * with If-None-Match: * (refusing an existing share) and the share-kind metadata header.
   */
  void sdkConditionalPut() {
    String key = "plain/w/" + counter.incrementAndGet();
    sdk.putObject(
        b -> b.bucket(bucket).key(key).ifNoneMatch("*").metadata(Map.of("lafs-kind", "immutable")),
        RequestBody.fromBytes(data));
  }

  /** A backend upload against the same conditional PUT through the SDK, alternating. */
  @Benchmark
  public void pairedUploadSameRequests(Paired p) throws StorageException {
    boolean backendFirst = (p.turns++ & 1) == 0;
    long t0 = System.nanoTime();
    if (backendFirst) {
      backendUpload();
    } else {
      sdkConditionalPut();
    }
    long t1 = System.nanoTime();
    if (backendFirst) {
      sdkConditionalPut();
    } else {
      backendUpload();
    }
    long t2 = System.nanoTime();
    p.backendNanos += backendFirst ? t1 - t0 : t2 - t1;
    p.sdkNanos += backendFirst ? t2 - t1 : t1 - t0;
  }

  /** One backend read and one plain GetObject of the same MiB, order alternating. */
  @Benchmark
  public int pairedRead(Paired p) throws StorageException {
    boolean backendFirst = (p.turns++ & 1) == 0;
    long t0 = System.nanoTime();
    int n = backendFirst ? backendRead().remaining() : sdkGetObject().length;
    long t1 = System.nanoTime();
    n += backendFirst ? sdkGetObject().length : backendRead().remaining();
    long t2 = System.nanoTime();
    p.backendNanos += backendFirst ? t1 - t0 : t2 - t1;
    p.sdkNanos += backendFirst ? t2 - t1 : t1 - t0;
    return n;
  }

  /** Runs this benchmark from the test class path (forks inherit it). */
  public static void main(String[] args) throws Exception {
    new Runner(new OptionsBuilder().include(S3BackendBenchmark.class.getSimpleName()).build()).run();
  }
}
