package ai.diffad.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The dashboard's HTTP side, spoken to over plain sockets: files, images, token, streams. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DashboardServerTest {
  @TempDir Path tmp;
  Path results;
  Dashboard dashboard;
  final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
    if (dashboard != null) {
      dashboard.close();
    }
  }

  private Dashboard start(DashboardSettings s) throws IOException {
    results = tmp.resolve("results");
    Files.createDirectories(results.resolve("overlays/cam1"));
    dashboard = Dashboard.start(s, new FolderFeed(results, Duration.ofMillis(50)), results);
    return dashboard;
  }

  private void append(String file, String text) throws IOException {
    Files.writeString(results.resolve(file), text, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
  }

  private static String score(String id, double s) {
    return "{\"id\":\"" + id + "\",\"source\":\"cam1\",\"ts\":\"2027-01-15T08:00:00Z\",\"score\":" + s
        + ",\"anomalous\":" + (s > 0.5) + ",\"threshold\":0.5}\n";
  }

  private HttpProbe.Sse sse(String target, String... headers) throws IOException {
    HttpProbe.Sse s = new HttpProbe.Sse(dashboard.port(), target, headers);
    open.add(s);
    return s;
  }

  @Test
  void servesThePageItsScriptsAndUPlotFromTheJarAndNothingElse() throws Exception {
    start(DashboardSettings.defaults());
    assertThat(dashboard.url()).isEqualTo("http://127.0.0.1:" + dashboard.port() + "/");
    assertThat(dashboard.port()).isBetween(DashboardSettings.FIRST_PORT, DashboardSettings.FIRST_PORT + 99);
    HttpProbe.Response page = HttpProbe.get(dashboard.port(), "/");
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.headers().get("content-type")).startsWith("text/html");
    assertThat(page.headers().get("content-security-policy")).contains("script-src 'self'").contains("default-src 'none'");
    assertThat(page.headers().get("x-content-type-options")).isEqualTo("nosniff");
    assertThat(page.text()).contains("<script src=\"uPlot.iife.min.js\"></script>", "<script src=\"dashboard.js\"></script>");
    HttpProbe.Response uplot = HttpProbe.get(dashboard.port(), "/uPlot.iife.min.js");
    assertThat(uplot.status()).isEqualTo(200);
    byte[] webjar;
    try (var in = getClass().getClassLoader().getResourceAsStream(
        "META-INF/resources/webjars/uplot/1.6.30/dist/uPlot.iife.min.js")) {
      webjar = in.readAllBytes();
    }
    assertThat(uplot.body()).isEqualTo(webjar);
    assertThat(HttpProbe.get(dashboard.port(), "/uPlot.min.css").status()).isEqualTo(200);
    assertThat(HttpProbe.get(dashboard.port(), "/dashboard.js").text()).contains("new EventSource('events')");
    assertThat(HttpProbe.get(dashboard.port(), "/dashboard.css").status()).isEqualTo(200);
    // no other classpath resource, however spelled
    for (String t : List.of("/ai/diffad/dashboard/index.html", "/META-INF/resources/webjars/uplot/1.6.30/dist/uPlot.min.css",
        "/log4j2.xml", "/index.html", "/dashboard.js/..", "/nope")) {
      assertThat(HttpProbe.get(dashboard.port(), t).status()).as(t).isEqualTo(404);
    }
    assertThat(HttpProbe.request(dashboard.port(), "POST", "/").status()).isEqualTo(405);
    // a page elsewhere whose DNS name points at 127.0.0.1
    assertThat(HttpProbe.get(dashboard.port(), "/", "Host: attacker.example:" + dashboard.port()).status()).isEqualTo(421);
    assertThat(HttpProbe.get(dashboard.port(), "/", "Host: localhost:" + dashboard.port()).status()).isEqualTo(200);
  }

  @Test
  void imagesComeOnlyFromTheResultsFolder() throws Exception {
    start(DashboardSettings.defaults());
    byte[] png = {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3};
    Files.write(results.resolve("overlays/cam1/a.png"), png);
    byte[] secret = "top secret".getBytes(StandardCharsets.UTF_8);
    Files.write(tmp.resolve("secret.png"), secret);
    Files.createSymbolicLink(results.resolve("overlays/cam1/link.png"), tmp.resolve("secret.png"));
    HttpProbe.Response ok = HttpProbe.get(dashboard.port(), "/img/overlays/cam1/a.png");
    assertThat(ok.status()).isEqualTo(200);
    assertThat(ok.headers().get("content-type")).isEqualTo("image/png");
    assertThat(ok.body()).isEqualTo(png);
    for (String t : List.of("/img/../secret.png", "/img/overlays/../../secret.png", "/img/%2e%2e/secret.png",
        "/img/%2E%2E%2Fsecret.png", "/img/..%2fsecret.png", "/img/%252e%252e/secret.png",
        "/img//" + tmp.resolve("secret.png"), "/img/" + tmp.resolve("secret.png"), "/img/%2F" + tmp.resolve("secret.png"),
        "/img/overlays/cam1/link.png", "/img/..\\secret.png", "/img/overlays/cam1/a.png%00")) {
      HttpProbe.Response r = HttpProbe.get(dashboard.port(), t);
      assertThat(r.status()).as(t).isIn(400, 404); // 400: the JDK server refuses a backslash itself
      assertThat(r.body()).as(t).isNotEqualTo(secret);
    }
  }

  @Test
  void withATokenEveryRequestNeedsIt() throws Exception {
    String token = "s3cr3t/+=x";
    start(DashboardSettings.defaults().withToken(token));
    Files.write(results.resolve("overlays/cam1/a.png"), new byte[] {1, 2, 3});
    String q = "token=" + java.net.URLEncoder.encode(token, StandardCharsets.UTF_8);
    assertThat(dashboard.url()).endsWith("/?" + q);
    List<String> targets = List.of("/", "/dashboard.js", "/dashboard.css", "/uPlot.iife.min.js",
        "/uPlot.min.css", "/img/overlays/cam1/a.png", "/api/snapshot", "/events");
    for (String t : targets) {
      assertThat(HttpProbe.get(dashboard.port(), t).status()).as("none: " + t).isEqualTo(401);
      assertThat(HttpProbe.get(dashboard.port(), t + "?token=wrong").status()).as("wrong: " + t).isEqualTo(401);
      assertThat(HttpProbe.get(dashboard.port(), t, "Authorization: Bearer " + token + "x").status()).isEqualTo(401);
      assertThat(HttpProbe.get(dashboard.port(), t, "Cookie: diffad_token_" + dashboard.port() + "=nope").status())
          .isEqualTo(401);
      if (!t.equals("/events")) {
        assertThat(HttpProbe.get(dashboard.port(), t + "?" + q).status()).as("query: " + t).isEqualTo(200);
        assertThat(HttpProbe.get(dashboard.port(), t, "Authorization: Bearer " + token).status()).as("bearer: " + t)
            .isEqualTo(200);
      }
    }
    // The printed address sets the cookie the page's own requests (scripts, events, images) carry.
    String cookie = HttpProbe.get(dashboard.port(), "/?" + q).headers().get("set-cookie");
    assertThat(cookie).startsWith("diffad_token_" + dashboard.port() + "=").contains("HttpOnly", "SameSite=Strict");
    String pair = "Cookie: " + cookie.substring(0, cookie.indexOf(';'));
    assertThat(HttpProbe.get(dashboard.port(), "/img/overlays/cam1/a.png", pair).body()).containsExactly(1, 2, 3);
    assertThat(HttpProbe.get(dashboard.port(), "/dashboard.js", pair).status()).isEqualTo(200);
    assertThat(sse("/events", pair).next("snapshot", 5000)).isNotNull();
    assertThat(sse("/events?" + q).next("snapshot", 5000)).isNotNull();
    assertThat(sse("/events").status).isEqualTo(401);
  }

  @Test
  void twentyBrowsersAtOnceEachGetTheSnapshotAndEveryUpdate() throws Exception {
    start(DashboardSettings.defaults());
    append("scores.jsonl", score("cam1/first.png", 0.9));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (dashboard.state().totals().scored() < 1 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    List<HttpProbe.Sse> tabs = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      HttpProbe.Sse s = sse("/events");
      assertThat(s.status).isEqualTo(200);
      tabs.add(s);
    }
    for (HttpProbe.Sse s : tabs) {
      HttpProbe.Event snap = s.next("snapshot", 5000);
      assertThat(snap).isNotNull();
      assertThat(snap.data()).contains("cam1/first.png");
    }
    assertThat(dashboard.clients()).isEqualTo(20);
    for (int k = 0; k < 3; k++) {
      String id = "cam1/late-" + k + ".png";
      long t0 = System.nanoTime();
      append("scores.jsonl", score(id, 0.8)); // flagged: its id is in the update
      for (HttpProbe.Sse s : tabs) {
        HttpProbe.Event e = s.containing(id, 5000);
        assertThat(e).as(id).isNotNull();
        assertThat(e.name()).isEqualTo("update");
      }
      assertThat((System.nanoTime() - t0) / 1e9).as("all 20 had it").isLessThan(2.0);
    }
    for (HttpProbe.Sse s : tabs) {
      s.close();
    }
    deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (dashboard.clients() > 0 && System.nanoTime() < deadline) {
      append("scores.jsonl", score("cam1/x.png", 0.1)); // a write notices the closed ones
      Thread.sleep(300);
    }
    assertThat(dashboard.clients()).isZero();
    assertThat(dashboard.disconnected()).as("none was slow").isZero();
  }

  @Test
  void aBrowserThatStopsReadingIsDisconnectedAndHoldsUpNeitherTheFeedNorTheOthers() throws Exception {
    start(DashboardSettings.defaults().withClients(4, 4));
    Socket stuck = new Socket();
    open.add(stuck);
    stuck.setReceiveBufferSize(4096);
    stuck.connect(new InetSocketAddress("127.0.0.1", dashboard.port()));
    stuck.getOutputStream().write(("GET /events HTTP/1.1\r\nHost: 127.0.0.1:" + dashboard.port()
        + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1)); // and never reads
    HttpProbe.Sse reader = sse("/events");
    assertThat(reader.next("snapshot", 5000)).isNotNull();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    while (dashboard.clients() < 2 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(dashboard.clients()).isEqualTo(2);
    String detail = "x".repeat(1500);
    int written = 0;
    deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
    while (dashboard.disconnected() == 0 && System.nanoTime() < deadline) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < 400; i++, written++) {
        sb.append("{\"id\":\"r").append(written).append("\",\"source\":\"cam1\",\"reason\":\"EMPTY\",\"detail\":\"")
            .append(detail).append("\"}\n");
      }
      append("rejected.jsonl", sb.toString());
      Thread.sleep(300);
    }
    assertThat(dashboard.disconnected()).as("the stuck browser was let go").isEqualTo(1);
    String last = "\"r" + (written - 1) + "\"";
    assertThat(reader.containing(last, 10_000)).as("the reading browser has the newest").isNotNull();
    deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (dashboard.state().totals().rejected() < written && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(dashboard.state().totals().rejected()).as("the feed read on").isEqualTo(written);
    assertThat(dashboard.clients()).isEqualTo(1);
  }

  @Test
  void beyondMaxClientsAStreamIsRefusedWith503() throws Exception {
    start(DashboardSettings.defaults().withClients(2, 8));
    assertThat(sse("/events").next("snapshot", 5000)).isNotNull();
    assertThat(sse("/events").next("snapshot", 5000)).isNotNull();
    HttpProbe.Response r = HttpProbe.get(dashboard.port(), "/events");
    assertThat(r.status()).isEqualTo(503);
    assertThat(r.headers().get("retry-after")).isEqualTo("5");
  }

  @Test
  void itListensOnLoopbackOnlyAndTakesTheNextPortWhenOneIsTaken() throws Exception {
    start(DashboardSettings.defaults());
    InetAddress other = null;
    for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      for (InetAddress a : Collections.list(ni.getInetAddresses())) {
        if (a instanceof Inet4Address && !a.isLoopbackAddress()) {
          other = a;
        }
      }
    }
    if (other != null) {
      try (Socket s = new Socket()) {
        InetAddress target = other;
        org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> s.connect(new InetSocketAddress(target, dashboard.port()), 2000))
            .isInstanceOf(IOException.class);
      }
    }
    try (Dashboard second = Dashboard.start(DashboardSettings.defaults(),
        new FolderFeed(results, Duration.ofMillis(50)), results)) {
      assertThat(second.port()).isGreaterThan(dashboard.port());
      assertThat(HttpProbe.get(second.port(), "/").status()).isEqualTo(200);
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> Dashboard.start(
              DashboardSettings.defaults().withPort(second.port()), new FolderFeed(results, Duration.ofMillis(50)), results))
          .isInstanceOf(java.net.BindException.class).hasMessageContaining("is in use");
    }
  }
}
