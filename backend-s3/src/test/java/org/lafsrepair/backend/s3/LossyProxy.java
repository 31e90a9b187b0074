package org.lafsrepair.backend.s3;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback TCP proxy in front of a real S3 server that, once armed, lets one request carrying a
 * given header reach the server and then drops the connection instead of relaying the answer: the
 * request took effect but the client never hears so, as when a response is lost on the network.
 */
final class LossyProxy implements AutoCloseable {
  private final ServerSocket listener;
  private final int targetPort;
  private final AtomicBoolean armed = new AtomicBoolean();
  private volatile String trigger = "";
  final AtomicInteger dropped = new AtomicInteger();

  LossyProxy(URI target) throws IOException {
    this.targetPort = target.getPort();
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread t = new Thread(this::acceptLoop, "lossy-proxy");
    t.setDaemon(true);
    t.start();
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + listener.getLocalPort());
  }

  /** The next request whose head contains {@code header} (case-insensitive) loses its response. */
  void dropNextResponseTo(String header) {
    trigger = header.toLowerCase(Locale.ROOT);
    armed.set(true);
  }

  private void acceptLoop() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        Socket server = new Socket(InetAddress.getLoopbackAddress(), targetPort);
        AtomicBoolean doomed = new AtomicBoolean();
        start(() -> upstream(client, server, doomed));
        start(() -> downstream(server, client, doomed));
      } catch (IOException e) {
        return;
      }
    }
  }

  private static void start(Runnable r) {
    Thread t = new Thread(r, "lossy-proxy-pump");
    t.setDaemon(true);
    t.start();
  }

  private void upstream(Socket client, Socket server, AtomicBoolean doomed) {
    StringBuilder recent = new StringBuilder();
    try (InputStream in = client.getInputStream(); OutputStream out = server.getOutputStream()) {
      byte[] buf = new byte[65536];
      int n;
      while ((n = in.read(buf)) > 0) {
        if (armed.get()) {
          recent.append(new String(buf, 0, Math.min(n, 8192), StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT));
          if (recent.indexOf(trigger + ":") >= 0 && armed.compareAndSet(true, false)) {
            doomed.set(true);
          }
          if (recent.length() > 16384) {
            recent.delete(0, recent.length() - 256);
          }
        }
        out.write(buf, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // connection closed
    } finally {
      closeQuietly(server);
    }
  }

  private void downstream(Socket server, Socket client, AtomicBoolean doomed) {
    try (InputStream in = server.getInputStream(); OutputStream out = client.getOutputStream()) {
      byte[] buf = new byte[65536];
      int n;
      while ((n = in.read(buf)) > 0) {
        if (doomed.get()) {
          dropped.incrementAndGet();
          break; // the server answered; the client will never see it
        }
        out.write(buf, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // connection closed
    } finally {
      closeQuietly(client);
      closeQuietly(server);
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // already closed
    }
  }

  @Override
  public void close() throws IOException {
    listener.close();
  }
}
