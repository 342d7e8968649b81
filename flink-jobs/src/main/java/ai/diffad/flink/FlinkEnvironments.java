package ai.diffad.flink;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Where the commands run their jobs: the environment {@code flink run} gives a program (a
 * cluster), a local MiniCluster, or a remote cluster the shaded jar is shipped to; and the
 * metric-reporter settings of the Prometheus profile.
 */
public final class FlinkEnvironments {
  private FlinkEnvironments() {}

  /** The reporter name in Flink's configuration keys ({@code metrics.reporter.prom.*}). */
  public static final String PROMETHEUS_REPORTER = "prom";
  /** Flink's Prometheus reporter factory (flink-metrics-prometheus). */
  public static final String PROMETHEUS_FACTORY =
      "org.apache.flink.metrics.prometheus.PrometheusReporterFactory";
  /** Prometheus' default port for Flink. */
  public static final String PROMETHEUS_DEFAULT_PORT = "9249";
  /** First port tried for the web UI of a local run. */
  public static final int WEB_UI_PORT = 8081;

  /**
   * Where a job runs.
   *
   * @param env the environment to wire the job into and execute
   * @param where how the commands say where it runs ("locally; Flink web UI: ...", "on the
   *     cluster at ...", "on the cluster of flink run")
   * @param local whether it is a local MiniCluster (ends with the command)
   */
  public record Placement(StreamExecutionEnvironment env, String where, boolean local) {}

  /** A {@code --jobmanager} address that is not HOST:PORT, or no shaded jar to ship to it. */
  public static final class JobManagerException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    JobManagerException(String message) {
      super(message);
    }
  }

  /**
   * The environment of {@code flink run} if the program runs under it; otherwise the cluster at
   * {@code jobmanager} if given ({@link #remote}); otherwise a local MiniCluster ({@link #local})
   * with the web UI on the first free port from {@link #WEB_UI_PORT}.
   *
   * @param jobmanager the REST address (HOST:PORT) of a running cluster, or null
   * @param shipped a class of the shaded jar shipped to that cluster
   * @param slots task slots (and default parallelism) of a local run
   * @param extra further settings of a local run (not changed)
   * @param prometheusPort port (or range) a local run exposes its metrics on for Prometheus, or
   *     null for none
   * @throws JobManagerException if {@code jobmanager} is not HOST:PORT or there is no jar to ship
   */
  public static Placement place(String jobmanager, Class<?> shipped, int slots,
      Configuration extra, String prometheusPort) {
    StreamExecutionEnvironment env = submitted();
    if (env != null) {
      return new Placement(env, "on the cluster of flink run", false);
    }
    if (jobmanager != null) {
      return new Placement(remote(jobmanager, shipped), "on the cluster at http://" + jobmanager, false);
    }
    int port = freePort(WEB_UI_PORT);
    Configuration c = new Configuration();
    c.addAll(extra);
    if (prometheusPort != null) {
      with(c, prometheus(prometheusPort));
    }
    return new Placement(local(c, slots, port), "locally; Flink web UI: http://localhost:" + port
        + (prometheusPort != null ? "; metrics: http://localhost:" + prometheusPort + "/metrics" : ""),
        true);
  }

  /**
   * A MiniCluster with the web UI on localhost:{@code webPort} and {@code slots} task slots (the
   * default parallelism too).
   *
   * @param extra further settings (not changed)
   */
  public static StreamExecutionEnvironment local(Configuration extra, int slots, int webPort) {
    Configuration c = new Configuration();
    c.addAll(extra);
    c.set(RestOptions.ADDRESS, "localhost");
    c.set(RestOptions.BIND_ADDRESS, "localhost");
    c.set(RestOptions.BIND_PORT, Integer.toString(webPort));
    c.set(RestOptions.PORT, webPort);
    c.set(TaskManagerOptions.NUM_TASK_SLOTS, slots);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(c);
    env.setParallelism(slots);
    return env;
  }

  /**
   * The cluster whose JobManager's REST address is {@code hostPort}, with the jar of
   * {@code shipped} (the shaded jar) shipped to it.
   *
   * @throws JobManagerException if {@code hostPort} is not HOST:PORT or {@code shipped} was not
   *     loaded from a jar
   */
  public static StreamExecutionEnvironment remote(String hostPort, Class<?> shipped) {
    int colon = hostPort.lastIndexOf(':');
    int port = -1;
    if (colon > 0) {
      try {
        port = Integer.parseInt(hostPort.substring(colon + 1));
      } catch (NumberFormatException e) {
        port = -1;
      }
    }
    if (port < 1 || port > 65535) {
      throw new JobManagerException("must be HOST:PORT (the JobManager's REST address, e.g."
          + " localhost:8081), got '" + hostPort + "'");
    }
    Path jar = jarOf(shipped);
    if (jar == null) {
      throw new JobManagerException("the job is shipped as the shaded jar; run diffad from it"
          + " (./diffad runs flink-jobs/target/diffad.jar), not from " + codeSource(shipped));
    }
    return StreamExecutionEnvironment.createRemoteEnvironment(hostPort.substring(0, colon), port,
        jar.toString());
  }

  /**
   * The environment of a program started by {@code flink run} (its cluster, configuration and
   * jar), or null when the program runs on its own (then the caller picks a local or remote one).
   */
  public static StreamExecutionEnvironment submitted() {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    return env instanceof LocalStreamEnvironment ? null : env;
  }

  /**
   * The Flink settings that expose every metric at {@code http://HOST:PORT/metrics} for Prometheus
   * to scrape (the same keys as config/flink/prometheus.yaml).
   *
   * @param port a port or a range such as {@code 9249-9259} (each JVM takes the first free one)
   */
  public static Map<String, String> prometheus(String port) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("metrics.reporter." + PROMETHEUS_REPORTER + ".factory.class", PROMETHEUS_FACTORY);
    m.put("metrics.reporter." + PROMETHEUS_REPORTER + ".port", port);
    return m;
  }

  /** {@code c} with {@code settings} added. */
  public static Configuration with(Configuration c, Map<String, String> settings) {
    c.addAll(Configuration.fromMap(settings));
    return c;
  }

  /** The jar a class was loaded from, or null when it was not loaded from a jar (an IDE, tests). */
  public static Path jarOf(Class<?> type) {
    Path p = codeSource(type);
    return p != null && Files.isRegularFile(p) && p.toString().endsWith(".jar") ? p : null;
  }

  /** Where a class was loaded from (a jar or a folder), or null if that is not known. */
  private static Path codeSource(Class<?> type) {
    try {
      return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (Exception e) {
      return null;
    }
  }

  /** The first port from {@code from} that is free on localhost. */
  public static int freePort(int from) {
    for (int p = from; p < from + 100; p++) {
      try (ServerSocket s = new ServerSocket(p, 1, InetAddress.getByName("localhost"))) {
        return p;
      } catch (IOException e) {
        // taken
      }
    }
    throw new IllegalStateException("no free port in " + from + ".." + (from + 99));
  }
}
