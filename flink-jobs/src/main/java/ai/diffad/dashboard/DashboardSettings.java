package ai.diffad.dashboard;

import ai.diffad.config.ConfigException;

/**
 * How much the dashboard keeps and how it serves it. Every bound is a count, so the server's
 * memory stays flat however long the stream runs.
 *
 * @param bind the address to listen on (default 127.0.0.1: this machine only)
 * @param port the port, or 0 for the first free one from {@link #FIRST_PORT}
 * @param token if not null, every request must carry it ({@code ?token=}, or
 *     {@code Authorization: Bearer})
 * @param window recent scores kept per source (the chart's points)
 * @param maxSources sources kept with their points; beyond it the one updated longest ago is
 *     dropped from the view (its records stay in the totals)
 * @param thumbnails latest flagged inputs kept (thumbnails)
 * @param rejections latest rejections kept
 * @param alerts latest alerts kept
 * @param maxClients browsers served at once (server-sent event streams)
 * @param clientQueue update messages queued per browser; a browser that falls this far behind
 *     is disconnected (it reconnects and starts from a fresh snapshot)
 */
public record DashboardSettings(String bind, int port, String token, int window, int maxSources,
    int thumbnails, int rejections, int alerts, int maxClients, int clientQueue) {
  /** First port tried when none is given. */
  public static final int FIRST_PORT = 8090;
  /** Default points per source. */
  public static final int DEFAULT_WINDOW = 1000;
  /** Loopback: the default bind address. */
  public static final String LOOPBACK = "127.0.0.1";

  /** Validates; errors name the option. */
  public DashboardSettings {
    if (bind == null || bind.isBlank()) {
      throw new ConfigException("--bind", "must be an address such as 127.0.0.1, got '" + bind + "'");
    }
    if (port < 0 || port > 65535) {
      throw new ConfigException("--port", "must be in [1, 65535], got " + port);
    }
    if (token != null && token.isBlank()) {
      throw new ConfigException("--token", "must not be empty");
    }
    range("--window", window, 10, 1_000_000);
    range("maxSources", maxSources, 1, 10_000);
    range("thumbnails", thumbnails, 1, 1000);
    range("rejections", rejections, 1, 100_000);
    range("alerts", alerts, 1, 100_000);
    range("maxClients", maxClients, 1, 1000);
    range("clientQueue", clientQueue, 2, 100_000);
  }

  /** The defaults: loopback, the first free port from 8090, no token, 1000 points per source. */
  public static DashboardSettings defaults() {
    return new DashboardSettings(LOOPBACK, 0, null, DEFAULT_WINDOW, 64, 24, 200, 200, 32, 64);
  }

  public DashboardSettings withBind(String b) {
    return new DashboardSettings(b, port, token, window, maxSources, thumbnails, rejections, alerts,
        maxClients, clientQueue);
  }

  public DashboardSettings withPort(int p) {
    return new DashboardSettings(bind, p, token, window, maxSources, thumbnails, rejections, alerts,
        maxClients, clientQueue);
  }

  public DashboardSettings withToken(String t) {
    return new DashboardSettings(bind, port, t, window, maxSources, thumbnails, rejections, alerts,
        maxClients, clientQueue);
  }

  public DashboardSettings withWindow(int w) {
    return new DashboardSettings(bind, port, token, w, maxSources, thumbnails, rejections, alerts,
        maxClients, clientQueue);
  }

  public DashboardSettings withLimits(int sources, int thumbs, int rejected, int alertCount) {
    return new DashboardSettings(bind, port, token, window, sources, thumbs, rejected, alertCount,
        maxClients, clientQueue);
  }

  public DashboardSettings withClients(int max, int queue) {
    return new DashboardSettings(bind, port, token, window, maxSources, thumbnails, rejections, alerts,
        max, queue);
  }

  private static void range(String field, int v, int min, int max) {
    if (v < min || v > max) {
      throw new ConfigException(field, "must be in [" + min + ", " + max + "], got " + v);
    }
  }
}
