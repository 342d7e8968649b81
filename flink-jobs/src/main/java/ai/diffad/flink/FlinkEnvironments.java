package ai.diffad.flink;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
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
    try {
      Path p = Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
      return Files.isRegularFile(p) && p.toString().endsWith(".jar") ? p : null;
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
