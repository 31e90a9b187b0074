package org.lafsrepair.service;

import java.io.Closeable;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * An append-only log of records, one per line, each framed as {@code <crc32c hex> <payload>}
 * and fsynced when appended. A record torn by a crash (missing newline, bad checksum) ends the
 * log: it and anything after it are dropped on {@link #read}, which is safe because every record
 * only ever says "this much is done", so losing the last one means redoing one item.
 *
 * <p>Payload fields are tab-separated; {@link #escape} makes any text a safe field.
 */
final class Journal implements Closeable {
  /** Upper bound on a journal we are willing to read: far beyond any real work file's log. */
  static final long MAX_BYTES = 64L << 20;

  private final Path path;
  // A RandomAccessFile, not a FileChannel: interrupting a thread in FileChannel I/O closes the
  // channel for every thread, and the service interrupts workers on a forced stop.
  private RandomAccessFile channel;

  private Journal(Path path, RandomAccessFile channel) {
    this.path = path;
    this.channel = channel;
  }

  /** Creates (or truncates) a journal whose first record is {@code header}. */
  static Journal create(Path path, List<String> header) throws IOException {
    RandomAccessFile ch = new RandomAccessFile(path.toFile(), "rw");
    ch.setLength(0);
    Journal j = new Journal(path, ch);
    j.append(header, false);
    return j;
  }

  /**
   * Opens an existing journal for appending after its last intact record ({@code validBytes} from
   * {@link Contents#validBytes}), cutting off a torn tail.
   */
  static Journal reopen(Path path, long validBytes) throws IOException {
    RandomAccessFile ch = new RandomAccessFile(path.toFile(), "rw");
    if (ch.length() > validBytes) {
      ch.setLength(validBytes);
    }
    ch.seek(validBytes);
    return new Journal(path, ch);
  }

  /** The intact records of a journal, and how many bytes they span. */
  record Contents(List<List<String>> records, long validBytes) {}

  /** Reads every intact record; empty contents if the file does not exist. */
  static Contents read(Path path) throws IOException {
    byte[] data;
    try {
      data = AtomicFiles.readBounded(path, MAX_BYTES);
    } catch (NoSuchFileException e) {
      return new Contents(List.of(), 0);
    } catch (AtomicFiles.TooLargeException e) {
      throw new IOException("journal " + path + " is implausibly large (" + e.size + " bytes)");
    }
    List<List<String>> records = new ArrayList<>();
    int pos = 0;
    while (pos < data.length) {
      int nl = indexOf(data, (byte) '\n', pos);
      if (nl < 0) {
        break;
      }
      String line = new String(data, pos, nl - pos, StandardCharsets.UTF_8);
      List<String> fields = parseLine(line);
      if (fields == null) {
        break;
      }
      records.add(fields);
      pos = nl + 1;
    }
    return new Contents(records, pos);
  }

  private static List<String> parseLine(String line) {
    int sp = line.indexOf(' ');
    if (sp != 8) {
      return null;
    }
    String payload = line.substring(9);
    long crc;
    try {
      crc = Long.parseLong(line.substring(0, 8), 16);
    } catch (NumberFormatException e) {
      return null;
    }
    if (crc != crc(payload)) {
      return null;
    }
    List<String> fields = new ArrayList<>();
    for (String f : payload.split("\t", -1)) {
      fields.add(unescape(f));
    }
    return fields;
  }

  private static int indexOf(byte[] data, byte b, int from) {
    for (int i = from; i < data.length; i++) {
      if (data[i] == b) {
        return i;
      }
    }
    return -1;
  }

  private static long crc(String payload) {
    CRC32C c = new CRC32C();
    c.update(payload.getBytes(StandardCharsets.UTF_8));
    return c.getValue();
  }

  /**
   * Appends one record; with {@code durable}, it is on disk when this returns. Concurrent durable
   * appends share fsyncs (group commit): a caller whose record an fsync already covered returns
   * without another.
   */
  void append(List<String> fields, boolean durable) throws IOException {
    long seq = write(fields);
    if (durable) {
      syncThrough(seq);
    }
  }

  /** Makes everything appended so far durable, if anything is not yet. */
  void syncIfDirty() throws IOException {
    long w;
    synchronized (this) {
      w = written;
      if (channel == null) {
        return;
      }
    }
    syncThrough(w);
  }

  private final Object syncLock = new Object();
  // Guarded by this.
  private long written;
  // Guarded by syncLock.
  private long synced;

  private void syncThrough(long seq) throws IOException {
    synchronized (syncLock) {
      if (synced >= seq) {
        return;
      }
      long target;
      RandomAccessFile ch;
      synchronized (this) {
        target = written;
        ch = channel;
      }
      if (ch == null) {
        throw new IllegalStateException("journal " + path + " is closed");
      }
      try {
        ch.getFD().sync();
      } catch (IOException e) {
        synchronized (this) {
          if (channel == null) {
            return; // closed meanwhile: finished or dropped, nothing left to sync
          }
        }
        throw e;
      }
      synced = target;
    }
  }

  private synchronized long write(List<String> fields) throws IOException {
    if (channel == null) {
      throw new IllegalStateException("journal " + path + " is closed");
    }
    StringBuilder payload = new StringBuilder();
    for (int i = 0; i < fields.size(); i++) {
      if (i > 0) {
        payload.append('\t');
      }
      payload.append(escape(fields.get(i)));
    }
    String p = payload.toString();
    String line = String.format("%08x ", crc(p)) + p + "\n";
    channel.write(line.getBytes(StandardCharsets.UTF_8));
    return ++written;
  }

  static String escape(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '\\' -> b.append("\\\\");
        case '\t' -> b.append("\\t");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  static String unescape(String s) {
    if (s.indexOf('\\') < 0) {
      return s;
    }
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < s.length()) {
        char n = s.charAt(++i);
        b.append(switch (n) {
          case 't' -> '\t';
          case 'n' -> '\n';
          case 'r' -> '\r';
          default -> n;
        });
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  Path path() {
    return path;
  }

  @Override
  public synchronized void close() throws IOException {
    if (channel != null) {
      channel.close();
      channel = null;
    }
  }

  /** Closes and deletes the journal. */
  synchronized void delete() throws IOException {
    close();
    Files.deleteIfExists(path);
  }
}
