package ai.diffad.cli.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Drops the demo's files into the watched folder over time, on its own thread: once
 * {@link #begin()} says the job runs, {@link #DROP_BATCH} files at a time, {@code interval} seconds
 * apart; each is written under a hidden name and renamed into view. {@link #close()} always stops
 * the thread and waits for it, so use it in try-with-resources:
 *
 * <pre>
 * try (Feeder feeder = new Feeder(drops, incoming, 0.75, log)) {
 *   feeder.start();
 *   ... feeder.begin() when the job has started ...
 *   feeder.awaitDone(10_000);
 * }
 * </pre>
 */
public final class Feeder implements AutoCloseable {
  /** Files dropped into the watched folder at a time. */
  public static final int DROP_BATCH = 8;
  /** Longest the feeder waits for {@link #begin()}. */
  static final long BEGIN_TIMEOUT_MINUTES = 5;

  private final List<DemoData.Drop> drops;
  private final Path incoming;
  private final double interval;
  private final DemoLog log;
  private final CountDownLatch go = new CountDownLatch(1);
  private final AtomicInteger dropped = new AtomicInteger();
  private final Thread thread;
  private volatile double feedSeconds;
  private volatile boolean stopping;

  /** {@code interval}: seconds between two batches of {@link #DROP_BATCH} files (0: all at once). */
  public Feeder(List<DemoData.Drop> drops, Path incoming, double interval, DemoLog log) {
    this.drops = List.copyOf(drops);
    this.incoming = incoming;
    this.interval = interval;
    this.log = log;
    this.thread = new Thread(this::feed, "demo-feeder");
    this.thread.setDaemon(true);
  }

  /** Starts the thread; it waits for {@link #begin()} before dropping anything. */
  public Feeder start() {
    thread.start();
    return this;
  }

  /** Lets the feeder drop its files (the job is running). */
  public void begin() {
    go.countDown();
  }

  /** Waits up to {@code millis} (at least 1) for every file to be dropped; true if the feeder is done. */
  public boolean awaitDone(long millis) throws InterruptedException {
    thread.join(Math.max(1, millis));
    return !thread.isAlive();
  }

  /** Files dropped so far. */
  public int dropped() {
    return dropped.get();
  }

  /** How many files there are to drop. */
  public int total() {
    return drops.size();
  }

  /**
   * Interrupts {@code thread} and waits until it has ended, even if this thread is interrupted
   * meanwhile (its interrupt status is restored afterwards).
   */
  static void stopAndJoin(Thread thread) {
    thread.interrupt();
    boolean interrupted = false;
    while (thread.isAlive()) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Seconds from the first drop to the last, once all are dropped (else 0). */
  public double feedSeconds() {
    return feedSeconds;
  }

  /** Stops the feeder where it is (if it still runs) and waits for its thread to end. */
  @Override
  public void close() {
    stopping = true;
    stopAndJoin(thread);
  }

  private void feed() {
    try {
      if (!go.await(BEGIN_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
        return;
      }
      long f0 = System.nanoTime();
      for (int i = 0; i < drops.size() && !stopping; i++) {
        if (i > 0 && i % DROP_BATCH == 0 && interval > 0) {
          Thread.sleep(Math.round(interval * 1000));
        }
        drop(drops.get(i));
        dropped.incrementAndGet();
      }
      if (dropped.get() == drops.size()) {
        feedSeconds = DemoLog.seconds(f0);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      if (!stopping) {
        log.detail("feeder: could not drop a file: " + e.getMessage());
      }
    }
  }

  /** Writes a file under a hidden name in its camera folder, then renames it into view. */
  private void drop(DemoData.Drop d) throws IOException {
    Path target = incoming.resolve(d.id());
    Files.createDirectories(target.getParent());
    Path tmp = target.resolveSibling("." + target.getFileName() + ".part");
    Files.copy(d.file(), tmp, StandardCopyOption.REPLACE_EXISTING);
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
