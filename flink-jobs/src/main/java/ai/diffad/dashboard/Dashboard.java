package ai.diffad.dashboard;

import ai.diffad.denoise.record.JsonLines;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The live dashboard: a feed of records ({@link FolderFeed}, {@link TopicsFeed}) into a bounded
 * {@link DashboardState}, served by the JDK's HTTP server ({@code com.sun.net.httpserver}) as a
 * page of three static files from the jar, uPlot from its WebJar, a server-sent event stream
 * ({@code /events}, {@link SseHub}) and the images of one results folder ({@code /img/REL},
 * {@link ResultsFiles}).
 *
 * <p>It listens on 127.0.0.1 unless told another address, and then also refuses requests whose
 * {@code Host} is not this machine's loopback name (a page elsewhere cannot reach it through a
 * DNS name rebound to 127.0.0.1). With a token, every request (page, scripts, events, images)
 * must carry it: as {@code ?token=} (the printed address), {@code Authorization: Bearer}, or the
 * cookie {@code diffad_token_PORT} (HttpOnly, SameSite=Strict) that a page request with the
 * right token sets, so that the page's own requests carry it; it is compared in constant time.
 */
public final class Dashboard implements AutoCloseable {
  /** The page's files in the jar. */
  static final String STATIC = "ai/diffad/dashboard/";
  /** The uPlot WebJar's files in the jar. */
  static final String UPLOT = "META-INF/resources/webjars/uplot/";
  private static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self';"
      + " img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none';"
      + " frame-ancestors 'none'";
  /** Ports tried from the first one when none is given. */
  static final int PORTS_TRIED = 100;

  private final DashboardSettings settings;
  private final Feed feed;
  private final DashboardState state;
  private final ResultsFiles files;
  private final SseHub hub;
  private final HttpServer server;
  private final ExecutorService pool;
  private final Map<String, Resource> resources;
  private final String url;
  private final int port;
  private final boolean loopback;
  private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

  private record Resource(String classpath, String type) {}

  private Dashboard(DashboardSettings settings, Feed feed, Path images) throws IOException {
    this.settings = settings;
    this.feed = feed;
    this.files = new ResultsFiles(images);
    this.state = new DashboardState(settings, files, feed.describe(), System::currentTimeMillis);
    String uplot = UPLOT + uplotVersion() + "/dist/";
    this.resources = Map.of(
        "/", new Resource(STATIC + "index.html", "text/html; charset=utf-8"),
        "/dashboard.js", new Resource(STATIC + "dashboard.js", "text/javascript; charset=utf-8"),
        "/dashboard.css", new Resource(STATIC + "dashboard.css", "text/css; charset=utf-8"),
        "/uPlot.iife.min.js", new Resource(uplot + "uPlot.iife.min.js", "text/javascript; charset=utf-8"),
        "/uPlot.min.css", new Resource(uplot + "uPlot.min.css", "text/css; charset=utf-8"));
    for (Resource r : resources.values()) {
      if (Dashboard.class.getClassLoader().getResource(r.classpath()) == null) {
        throw new IllegalStateException("the dashboard's file " + r.classpath() + " is not in the jar");
      }
    }
    InetAddress bind = InetAddress.getByName(settings.bind());
    this.loopback = bind.isLoopbackAddress();
    this.hub = new SseHub(state, settings.maxClients(), settings.clientQueue());
    // One thread per event stream and a few for everything else; requests beyond wait in line.
    AtomicInteger n = new AtomicInteger();
    ThreadPoolExecutor p = new ThreadPoolExecutor(settings.maxClients() + 8, settings.maxClients() + 8,
        30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
          Thread t = new Thread(r, "dashboard-http-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    p.allowCoreThreadTimeOut(true);
    this.pool = p;
    HttpServer s = null;
    int first = settings.port() == 0 ? DashboardSettings.FIRST_PORT : settings.port();
    int last = settings.port() == 0 ? first + PORTS_TRIED - 1 : first;
    for (int port = first; port <= last && s == null; port++) {
      try {
        s = HttpServer.create(new InetSocketAddress(bind, port), 128);
      } catch (BindException e) {
        if (port == last) {
          pool.shutdownNow();
          throw new BindException(settings.port() == 0
              ? "no free port in " + first + ".." + last + " on " + settings.bind()
              : "port " + port + " on " + settings.bind() + " is in use (" + e.getMessage() + ")");
        }
      }
    }
    this.server = s;
    this.port = s.getAddress().getPort();
    s.setExecutor(pool);
    s.createContext("/", this::handle);
    String host = bind.isAnyLocalAddress() ? DashboardSettings.LOOPBACK
        : bind instanceof Inet6Address ? "[" + bind.getHostAddress() + "]" : bind.getHostAddress();
    this.url = "http://" + host + ":" + port + "/" + (settings.token() == null ? ""
        : "?token=" + URLEncoder.encode(settings.token(), StandardCharsets.UTF_8));
  }

  /**
   * Starts the feed and the server.
   *
   * @param settings bind address, port, token and bounds
   * @param feed where records come from
   * @param images the results folder whose images may be served (null: none)
   * @throws BindException if the port (or every port tried) is taken
   */
  public static Dashboard start(DashboardSettings settings, Feed feed, Path images) throws IOException {
    Dashboard d = new Dashboard(settings, feed, images);
    d.hub.start();
    d.server.start();
    feed.start(d.state);
    return d;
  }

  /** The page's address (with the token, if one is set). */
  public String url() {
    return url;
  }

  /** The port it listens on. */
  public int port() {
    return port;
  }

  /** What it holds. */
  public DashboardState state() {
    return state;
  }

  /** Event streams open now. */
  public int clients() {
    return hub.clients();
  }

  /** Event streams disconnected for falling behind or blocking. */
  public long disconnected() {
    return hub.disconnected();
  }

  private void handle(HttpExchange h) throws IOException {
    try {
      Headers rh = h.getResponseHeaders();
      rh.set("X-Content-Type-Options", "nosniff");
      rh.set("Referrer-Policy", "no-referrer");
      rh.set("X-Frame-Options", "DENY");
      rh.set("Cache-Control", "no-store");
      if (loopback && !localHost(h.getRequestHeaders().getFirst("Host"))) {
        text(h, 421, "this dashboard answers to 127.0.0.1:" + port + " and localhost:" + port + " only");
        return;
      }
      String credential = credential(h);
      if (settings.token() != null && credential != null && credential.startsWith("?")) {
        // The printed address: the page's scripts, styles, events and images carry the cookie.
        rh.add("Set-Cookie", cookie() + "=" + URLEncoder.encode(settings.token(), StandardCharsets.UTF_8)
            + "; Path=/; HttpOnly; SameSite=Strict");
      }
      if (settings.token() != null && credential == null) {
        h.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"diffad dashboard\"");
        text(h, 401, "a token is required: open the address diffad dashboard printed (?token=...)");
        return;
      }
      String method = h.getRequestMethod();
      if (!method.equals("GET") && !method.equals("HEAD")) {
        rh.set("Allow", "GET, HEAD");
        text(h, 405, "GET only");
        return;
      }
      String path = h.getRequestURI().getRawPath();
      if (path.equals("/events")) {
        events(h);
      } else if (path.startsWith("/img/")) {
        image(h, path.substring("/img/".length()));
      } else if (path.equals("/api/snapshot")) {
        bytes(h, 200, "application/json; charset=utf-8",
            JsonLines.toJson(state.snapshot()).getBytes(StandardCharsets.UTF_8));
      } else if (resources.containsKey(path)) {
        Resource r = resources.get(path);
        if (path.equals("/")) {
          rh.set("Content-Security-Policy", CSP);
        }
        try (InputStream in = Dashboard.class.getClassLoader().getResourceAsStream(r.classpath())) {
          bytes(h, 200, r.type(), in.readAllBytes());
        }
      } else {
        text(h, 404, "not found");
      }
    } catch (IOException | RuntimeException e) {
      try {
        h.close();
      } catch (RuntimeException ignored) {
        // the connection is gone
      }
    }
  }

  private void events(HttpExchange h) throws IOException {
    SseHub.Client c = hub.open();
    if (c == null) {
      h.getResponseHeaders().set("Retry-After", "5");
      text(h, 503, "too many browsers connected (" + settings.maxClients() + ")");
      return;
    }
    h.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
    h.getResponseHeaders().set("X-Accel-Buffering", "no");
    h.sendResponseHeaders(200, 0);
    OutputStream out = h.getResponseBody();
    c.serve(out, h::close);
  }

  private void image(HttpExchange h, String raw) throws IOException {
    Optional<Path> f = files.resolve(raw);
    if (f.isEmpty()) {
      text(h, 404, "no such image in the results folder");
      return;
    }
    String name = f.get().getFileName().toString().toLowerCase(Locale.ROOT);
    byte[] b;
    try {
      b = Files.readAllBytes(f.get());
    } catch (IOException e) {
      text(h, 404, "no such image in the results folder");
      return;
    }
    bytes(h, 200, name.endsWith(".png") ? "image/png" : "image/jpeg", b);
  }

  private String cookie() {
    return "diffad_token_" + port;
  }

  /**
   * How the request carries the right token: "?" (query), "bearer" or "cookie"; null when it
   * carries none or a wrong one (or no token is set).
   */
  private String credential(HttpExchange h) {
    String token = settings.token();
    if (token == null) {
      return null;
    }
    String query = h.getRequestURI().getRawQuery();
    if (query != null) {
      for (String kv : query.split("&")) {
        if (kv.startsWith("token=") && same(decode(kv.substring(6)), token)) {
          return "?";
        }
      }
    }
    String auth = h.getRequestHeaders().getFirst("Authorization");
    if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7) && same(auth.substring(7).trim(), token)) {
      return "bearer";
    }
    List<String> cookies = h.getRequestHeaders().get("Cookie");
    if (cookies != null) {
      for (String line : cookies) {
        for (String c : line.split(";")) {
          String kv = c.trim();
          if (kv.startsWith(cookie() + "=") && same(decode(kv.substring(cookie().length() + 1)), token)) {
            return "cookie";
          }
        }
      }
    }
    return null;
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static boolean same(String given, String token) {
    return given != null && MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8),
        token.getBytes(StandardCharsets.UTF_8));
  }

  private boolean localHost(String host) {
    if (host == null) {
      return false;
    }
    String h = host.toLowerCase(Locale.ROOT);
    return List.of("127.0.0.1:" + port, "localhost:" + port, "[::1]:" + port).contains(h);
  }

  private static void text(HttpExchange h, int code, String body) throws IOException {
    bytes(h, code, "text/plain; charset=utf-8", (body + "\n").getBytes(StandardCharsets.UTF_8));
  }

  private static void bytes(HttpExchange h, int code, String type, byte[] body) throws IOException {
    h.getResponseHeaders().set("Content-Type", type);
    boolean head = h.getRequestMethod().equals("HEAD");
    h.sendResponseHeaders(code, head ? -1 : body.length == 0 ? -1 : body.length);
    if (!head && body.length > 0) {
      try (OutputStream out = h.getResponseBody()) {
        out.write(body);
      }
    }
    h.close();
  }

  /** The uPlot WebJar's version, from its Maven metadata in the jar. */
  static String uplotVersion() throws IOException {
    try (InputStream in = Dashboard.class.getClassLoader()
        .getResourceAsStream("META-INF/maven/org.webjars.npm/uplot/pom.properties")) {
      if (in == null) {
        throw new IllegalStateException("the uPlot WebJar (org.webjars.npm:uplot) is not on the classpath");
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version");
    }
  }

  /** Stops the feed, ends the event streams and stops the server (once; later calls do nothing). */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    feed.close();
    hub.close();
    server.stop(0);
    pool.shutdownNow();
    try {
      pool.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** How often a folder is looked at. */
  public static final Duration FOLDER_INTERVAL = Duration.ofMillis(200);
}
