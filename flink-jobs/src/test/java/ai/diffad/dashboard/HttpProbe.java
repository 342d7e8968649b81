package ai.diffad.dashboard;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * HTTP by hand over a socket, so that the request target goes out exactly as written (no client
 * normalises {@code ..} or re-encodes it), and server-sent event streams read line by line.
 */
final class HttpProbe {
  private HttpProbe() {}

  /** A response: status, headers (lower-case names) and body. */
  record Response(int status, Map<String, String> headers, byte[] body) {
    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  /** {@code GET target} on 127.0.0.1:port with extra header lines ("Name: value"). */
  static Response get(int port, String target, String... headers) throws IOException {
    return request(port, "GET", target, headers);
  }

  static Response request(int port, String method, String target, String... headers) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      StringBuilder req = new StringBuilder(method + " " + target + " HTTP/1.1\r\n");
      boolean host = false;
      for (String h : headers) {
        req.append(h).append("\r\n");
        host |= h.toLowerCase(Locale.ROOT).startsWith("host:");
      }
      if (!host) {
        req.append("Host: 127.0.0.1:").append(port).append("\r\n");
      }
      req.append("Connection: close\r\n\r\n");
      out.write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = s.getInputStream();
      String status = line(in);
      Map<String, String> hs = new LinkedHashMap<>();
      for (String l = line(in); !l.isEmpty(); l = line(in)) {
        int c = l.indexOf(':');
        hs.merge(l.substring(0, c).trim().toLowerCase(Locale.ROOT), l.substring(c + 1).trim(), (a, b) -> a + "\n" + b);
      }
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      if ("chunked".equalsIgnoreCase(hs.get("transfer-encoding"))) {
        while (true) {
          int n = Integer.parseInt(line(in).trim(), 16);
          if (n == 0) {
            break;
          }
          body.write(in.readNBytes(n));
          line(in);
        }
      } else if (hs.containsKey("content-length")) {
        body.write(in.readNBytes(Integer.parseInt(hs.get("content-length"))));
      }
      return new Response(Integer.parseInt(status.split(" ")[1]), hs, body.toByteArray());
    }
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) {
        throw new IOException("connection closed in a header line: " + b);
      }
      if (c != '\r') {
        b.write(c);
      }
    }
    return b.toString(StandardCharsets.ISO_8859_1);
  }

  /** The body of a chunked response. */
  static final class Chunked extends InputStream {
    private final InputStream in;
    private int left;
    private boolean done;

    Chunked(InputStream in) {
      this.in = in;
    }

    @Override
    public int read() throws IOException {
      byte[] b = new byte[1];
      return read(b, 0, 1) < 0 ? -1 : b[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (done) {
        return -1;
      }
      if (left == 0) {
        String size = line(in).trim();
        if (size.isEmpty()) {
          size = line(in).trim(); // the line break after the previous chunk
        }
        left = Integer.parseInt(size, 16);
        if (left == 0) {
          done = true;
          return -1;
        }
      }
      int n = in.read(b, off, Math.min(len, left));
      if (n < 0) {
        throw new IOException("stream ended inside a chunk");
      }
      left -= n;
      return n;
    }
  }

  /** One event of a stream. */
  record Event(String name, String data) {}

  /** An event stream ({@code GET /events}) read by a thread of its own into a queue. */
  static final class Sse implements AutoCloseable {
    final Socket socket = new Socket();
    final int status;
    final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final Thread reader;

    Sse(int port, String target, String... headers) throws IOException {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      StringBuilder req = new StringBuilder("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
          + "\r\nAccept: text/event-stream\r\n");
      for (String h : headers) {
        req.append(h).append("\r\n");
      }
      socket.getOutputStream().write(req.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
      InputStream raw = socket.getInputStream();
      status = Integer.parseInt(line(raw).split(" ")[1]);
      boolean chunked = false;
      for (String l = line(raw); !l.isEmpty(); l = line(raw)) {
        chunked |= l.toLowerCase(Locale.ROOT).replace(" ", "").equals("transfer-encoding:chunked");
      }
      BufferedReader r = new BufferedReader(new InputStreamReader(chunked ? new Chunked(raw) : raw,
          StandardCharsets.UTF_8));
      reader = new Thread(() -> {
        String name = null;
        StringBuilder data = new StringBuilder();
        try {
          for (String l = r.readLine(); l != null; l = r.readLine()) {
            if (l.startsWith("event: ")) {
              name = l.substring(7);
            } else if (l.startsWith("data: ")) {
              data.append(l.substring(6));
            } else if (l.isEmpty() && name != null) {
              events.add(new Event(name, data.toString()));
              name = null;
              data.setLength(0);
            }
          }
        } catch (IOException e) {
          // closed
        }
        events.add(new Event("closed", ""));
      }, "sse-probe");
      reader.setDaemon(true);
      reader.start();
    }

    /** The next event named {@code name} (others skipped) within {@code millis}, or null. */
    Event next(String name, long millis) throws InterruptedException {
      return first(e -> e.name().equals(name), millis);
    }

    /** The first event whose data contains {@code text} within {@code millis}, or null. */
    Event containing(String text, long millis) throws InterruptedException {
      return first(e -> e.data().contains(text), millis);
    }

    /** The first event that matches (or the "closed" event) within {@code millis}, or null. */
    private Event first(java.util.function.Predicate<Event> wanted, long millis)
        throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
      while (true) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return null;
        }
        Event e = events.poll(left, TimeUnit.NANOSECONDS);
        if (e == null || wanted.test(e) || e.name().equals("closed")) {
          return e;
        }
      }
    }

    @Override
    public void close() throws IOException {
      socket.close();
      try {
        reader.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
