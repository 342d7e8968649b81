package ai.diffad.dashboard;

import ai.diffad.denoise.record.JsonLines;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The browsers' server-sent event streams. Every {@link #TICK_MILLIS} one thread drains the
 * state's changes into one {@code update} message and offers it to each browser's queue without
 * waiting: a browser whose queue is full (it fell {@code clientQueue} messages behind) or whose
 * write has been blocked for {@link #WRITE_TIMEOUT_MILLIS} is disconnected, so a slow or vanished
 * browser costs one bounded queue and never holds up the feed, the state or the other browsers.
 * A browser that connects gets a {@code snapshot} first, taken atomically with its registration.
 *
 * <p>Each stream is written by the HTTP server's thread of its request ({@link Client#serve}); the
 * JDK server writes to a blocking socket channel, so disconnecting a browser interrupts that
 * thread, which closes the channel even in the middle of a blocked write.
 */
final class SseHub implements AutoCloseable {
  /** How often changes are pushed. */
  static final long TICK_MILLIS = 250;
  /** A comment line is sent after this long without a message (keeps proxies and browsers on). */
  static final long HEARTBEAT_MILLIS = 15_000;
  /** A write blocked this long disconnects the browser. */
  static final long WRITE_TIMEOUT_MILLIS = 10_000;

  private static final String CLOSE = "event: bye\ndata: {}\n\n";

  private final DashboardState state;
  private final int maxClients;
  private final int queueSize;
  private final List<Client> clients = new ArrayList<>();
  private final Thread ticker;
  private final AtomicLong disconnected = new AtomicLong();
  private volatile boolean closed;

  SseHub(DashboardState state, int maxClients, int queueSize) {
    this.state = state;
    this.maxClients = maxClients;
    this.queueSize = queueSize;
    this.ticker = new Thread(this::run, "dashboard-sse");
    this.ticker.setDaemon(true);
  }

  void start() {
    ticker.start();
  }

  /** Browsers connected now. */
  synchronized int clients() {
    return clients.size();
  }

  /** Browsers disconnected for falling behind or blocking, since the start. */
  long disconnected() {
    return disconnected.get();
  }

  /**
   * Registers the calling thread's browser with a snapshot queued; null when {@code maxClients}
   * are connected already (or the hub is closed).
   */
  synchronized Client open() {
    if (closed || clients.size() >= maxClients) {
      return null;
    }
    Client c = new Client(Thread.currentThread(), queueSize);
    c.queue.offer(message("snapshot", state.snapshot()));
    clients.add(c);
    return c;
  }

  private void run() {
    while (!closed) {
      try {
        Thread.sleep(TICK_MILLIS);
      } catch (InterruptedException e) {
        return;
      }
      tick();
    }
  }

  /** One push: the changes to every browser, and the slow ones disconnected. */
  synchronized void tick() {
    ObjectNode u = state.drain();
    String msg = u == null ? null : message(u.path("snapshot").asBoolean() ? "snapshot" : "update", u);
    long now = System.nanoTime();
    for (Client c : new ArrayList<>(clients)) {
      if (msg != null && !c.queue.offer(msg)) {
        drop(c);
        continue;
      }
      long since = c.writingSince;
      if (since != 0 && now - since > TimeUnit.MILLISECONDS.toNanos(WRITE_TIMEOUT_MILLIS)) {
        drop(c);
      }
    }
  }

  private void drop(Client c) {
    clients.remove(c);
    disconnected.incrementAndGet();
    c.kill();
  }

  private synchronized void remove(Client c) {
    clients.remove(c);
  }

  private static String message(String event, ObjectNode data) {
    // JSON has no raw line breaks, so the data is one line.
    return "event: " + event + "\ndata: " + JsonLines.toJson(data) + "\n\n";
  }

  @Override
  public void close() {
    List<Client> all;
    synchronized (this) {
      closed = true;
      all = new ArrayList<>(clients);
      clients.clear();
    }
    ticker.interrupt();
    for (Client c : all) {
      c.end();
    }
    try {
      ticker.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** One browser's stream: its queue, and the thread that writes it. */
  final class Client {
    private final BlockingQueue<String> queue;
    private final Object lock = new Object();
    private Thread thread;
    private boolean killed;
    volatile long writingSince;

    Client(Thread thread, int size) {
      this.thread = thread;
      this.queue = new ArrayBlockingQueue<>(size + 1); // + the closing message
    }

    /** Ends the stream after what is queued (the server stops). */
    void end() {
      if (!queue.offer(CLOSE)) {
        kill();
      }
    }

    /** Disconnects now: interrupts the writing thread (which closes a blocked socket). */
    void kill() {
      synchronized (lock) {
        killed = true;
        if (thread != null) {
          thread.interrupt();
        }
      }
    }

    /**
     * Writes the stream until it ends, the browser goes or it is disconnected; then unregisters.
     * Called on the request's thread, which {@link #open} registered.
     */
    void serve(OutputStream out, Runnable close) {
      try {
        write(out, "retry: 2000\n\n");
        while (true) {
          String m = queue.poll(HEARTBEAT_MILLIS, TimeUnit.MILLISECONDS);
          if (m == null) {
            m = ": ping\n\n";
          }
          write(out, m);
          if (m == CLOSE) {
            break;
          }
        }
      } catch (IOException | InterruptedException e) {
        // the browser went, or it was disconnected
      } finally {
        remove(this);
        boolean hard;
        synchronized (lock) {
          hard = killed;
        }
        if (hard) {
          // Any write of the close below fails at once and closes the socket, even one whose
          // browser stopped reading.
          Thread.currentThread().interrupt();
        }
        try {
          close.run();
        } finally {
          synchronized (lock) {
            thread = null;
          }
          Thread.interrupted(); // the pool's thread goes back clean
        }
      }
    }

    private void write(OutputStream out, String m) throws IOException {
      writingSince = System.nanoTime();
      try {
        out.write(m.getBytes(StandardCharsets.UTF_8));
        out.flush();
      } finally {
        writingSince = 0;
      }
    }
  }
}
