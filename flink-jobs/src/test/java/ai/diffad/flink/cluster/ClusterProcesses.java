package ai.diffad.flink.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The JVMs of a local multi-process cluster (Kafka broker, JobManager, TaskManagers, Flink
 * clients): each started with its own log file under {@code WORK/logs}, its pid appended to
 * {@code WORK/pids} (so a script can stop them even if this JVM dies), and each stopped by its own
 * pid in {@link #close()}, also when the run failed: TERM, then KILL after a grace period.
 */
final class ClusterProcesses implements AutoCloseable {
  /** One started JVM. */
  record Jvm(String name, Process process, Path log) {
    long pid() {
      return process.pid();
    }
  }

  private final Path work;
  private final Path pids;
  private final String javaBin;
  private final List<Jvm> started = new ArrayList<>();

  ClusterProcesses(Path work) throws IOException {
    this.work = work;
    Files.createDirectories(work.resolve("logs"));
    this.pids = work.resolve("pids");
    this.javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Runtime.getRuntime().addShutdownHook(new Thread(this::close, "cluster-processes-stop"));
  }

  /** Starts {@code java [jvmArgs] -cp classpath main args} with {@code env} added. */
  synchronized Jvm start(String name, String classpath, List<String> jvmArgs, String main,
      List<String> args, Map<String, String> env) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(javaBin);
    cmd.addAll(jvmArgs);
    cmd.add("-cp");
    cmd.add(classpath);
    cmd.add(main);
    cmd.addAll(args);
    Path log = work.resolve("logs").resolve(name + ".out");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().putAll(env);
    Process p = pb.start();
    Jvm j = new Jvm(name, p, log);
    started.add(j);
    Files.writeString(pids, p.pid() + " " + name + "\n", StandardCharsets.UTF_8,
        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    return j;
  }

  /** SIGKILL, as a crashed machine or the OOM killer would: no shutdown hooks, no goodbye. */
  static void kill(Jvm j) throws InterruptedException {
    j.process().destroyForcibly();
    j.process().waitFor(30, TimeUnit.SECONDS);
  }

  /** The last {@code lines} lines of a JVM's log, for error messages. */
  static String tail(Jvm j, int lines) {
    try {
      List<String> all = Files.readAllLines(j.log(), StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** A free TCP port on 127.0.0.1 (free when asked; taken a moment later by the caller). */
  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }

  /** Stops every JVM this object started, newest first, by its pid. */
  @Override
  public synchronized void close() {
    for (int i = started.size() - 1; i >= 0; i--) {
      Process p = started.get(i).process();
      if (p.isAlive()) {
        p.destroy();
      }
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    for (int i = started.size() - 1; i >= 0; i--) {
      Process p = started.get(i).process();
      try {
        long left = deadline - System.nanoTime();
        if (left <= 0 || !p.waitFor(left, TimeUnit.NANOSECONDS)) {
          p.destroyForcibly();
          p.waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }
}
