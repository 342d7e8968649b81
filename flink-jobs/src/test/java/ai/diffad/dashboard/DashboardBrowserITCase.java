package ai.diffad.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.diffad.config.EngineConfig;
import ai.diffad.config.ThresholdMethod;
import ai.diffad.denoise.calibrate.Calibration;
import ai.diffad.denoise.calibrate.CalibrationStore;
import ai.diffad.denoise.calibrate.ScoreSettings;
import ai.diffad.denoise.data.SyntheticTextures;
import ai.diffad.denoise.io.ImageEncoder;
import ai.diffad.denoise.io.ImageFormat;
import ai.diffad.denoise.record.JsonLines;
import ai.diffad.flink.StreamJob;
import ai.diffad.flink.TinyModel;
import ai.diffad.flink.config.StreamConfig;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The dashboard in a real browser (Debian's chromium through chromedriver and Selenium): the
 * streaming job watches a folder on a MiniCluster and writes a results folder with heatmaps and
 * alerts, the dashboard follows it (with a token, as a user would open it), and the page is
 * checked against the job's own files: the charts' points, the alerts' rows in order, the totals,
 * a loaded heatmap thumbnail; then records arriving later must show within 2 s (measured in the
 * browser), and records whose fields are hostile HTML must show as text with no script run and no
 * element made. A screenshot goes to {@code target/dashboard-browser.png}.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class DashboardBrowserITCase {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  static final String PACKAGES = "chromium chromium-driver";
  /** Records must show within this long of being written. */
  static final long WITHIN_MILLIS = 2000;
  static final String SCRIPT = "<script>window.__xss=1</script>";
  static final String IMG = "\"><img src=x onerror=\"window.__xss=2\">";

  @RegisterExtension
  static final MiniClusterExtension FLINK = new MiniClusterExtension(
      new MiniClusterResourceConfiguration.Builder()
          .setNumberTaskManagers(1)
          .setNumberSlotsPerTaskManager(2)
          .build());

  @TempDir Path dir;
  ChromeDriver browser;
  Dashboard dashboard;
  JobClient job;

  @AfterEach
  void stop() throws Exception {
    try {
      if (browser != null) {
        browser.quit();
      }
    } finally {
      try {
        if (job != null && !job.getJobStatus().get(30, TimeUnit.SECONDS).isGloballyTerminalState()) {
          job.cancel().get(60, TimeUnit.SECONDS);
        }
      } finally {
        if (dashboard != null) {
          dashboard.close();
        }
      }
    }
  }

  /** Gray 32x32 images: the model's own kind of texture, or noise (which it reconstructs worse). */
  static void writeImage(Path file, boolean noise, long seed) throws Exception {
    int size = 32;
    float[] data;
    if (noise) {
      SplittableRandom rng = new SplittableRandom(seed);
      data = new float[size * size];
      for (int i = 0; i < data.length; i++) {
        data[i] = (float) (rng.nextDouble() * 2 - 1);
      }
    } else {
      data = SyntheticTextures.texture(size, new SplittableRandom(seed));
    }
    Files.createDirectories(file.getParent());
    Path tmp = file.resolveSibling("." + file.getFileName() + ".part");
    Files.write(tmp, ImageEncoder.encode(data, 1, size, size, null, 8, ImageFormat.PNG));
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
  }

  private StreamJob.Builder job(Path model, Path in, Path out) {
    return StreamJob.builder().model(model).input(in).output(out).engine(TinyModel.engine())
        .maxBatch(4).maxWait(Duration.ofMillis(200)).checkpointInterval(Duration.ofMillis(500))
        .parallelism(1).images(true, false)
        .alerts(new StreamConfig.Alerts(true, 2, Duration.ofSeconds(60), Duration.ofMinutes(5), null));
  }

  @Test
  void theDashboardShowsTheLiveStreamInABrowser() throws Exception {
    assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
        "no browser for the dashboard's browser test: install Debian's packages " + PACKAGES
            + " (apt-get install -y " + PACKAGES + "; .ci/run does)");
    Path model = TinyModel.train(dir.resolve("model"));
    EngineConfig engine = TinyModel.engine();
    Map<String, Boolean> images = new java.util.LinkedHashMap<>();
    for (int i = 0; i < 10; i++) {
      images.put("cam" + (1 + i % 2) + "/img-" + i + ".png", i % 3 == 0);
    }

    // Calibrate on the images' own scores: the threshold between the 5th and 6th, so half are flagged.
    Path first = dir.resolve("first");
    for (Map.Entry<String, Boolean> e : images.entrySet()) {
      writeImage(dir.resolve("probe").resolve(e.getKey()), e.getValue(), e.getKey().hashCode());
    }
    StreamJob probe = job(model, dir.resolve("probe"), first).bounded().build();
    probe.execute(StreamExecutionEnvironment.getExecutionEnvironment());
    double[] s = JsonLines.readRecords(probe.scoresFile()).stream().mapToDouble(n -> n.get("score").asDouble())
        .sorted().toArray();
    assertThat(s).hasSize(10);
    double threshold = (s[4] + s[5]) / 2;
    CalibrationStore.write(model, new Calibration(Calibration.FORMAT_VERSION, ThresholdMethod.QUANTILE, 0.5,
        threshold, new Calibration.Normalization(s[0], s[9]), new Calibration.Summary(10, s[0], threshold, s[9]),
        0, null, Instant.now().toString(), ScoreSettings.of(engine)));

    // The live job over a watched folder, and the dashboard over its results folder.
    Path in = dir.resolve("in");
    Path results = dir.resolve("results");
    Files.createDirectories(in);
    Files.createDirectories(results);
    StreamJob live = job(model, in, results).monitorInterval(Duration.ofMillis(200)).build();
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    live.wire(env);
    job = env.executeAsync("dashboard browser test");
    dashboard = Dashboard.start(DashboardSettings.defaults().withToken("tok-" + System.nanoTime()),
        new FolderFeed(results, Dashboard.FOLDER_INTERVAL), results);
    for (Map.Entry<String, Boolean> e : images.entrySet()) {
      writeImage(in.resolve(e.getKey()), e.getValue(), e.getKey().hashCode());
    }
    Files.writeString(in.resolve("cam2/notes.png"), "{\"not\": \"an image\"}");
    awaitLines(results.resolve("scores.jsonl"), 10);
    awaitLines(results.resolve("rejected.jsonl"), 1);

    browser = startBrowser();
    browser.get(dashboard.url());
    waitFor("the page is live", () -> "live".equals(browser.findElement(By.id("status")).getText()));
    waitFor("all 10 scores shown", () -> "10".equals(text("total-scored")));

    List<JsonNode> scores = JsonLines.readRecords(results.resolve("scores.jsonl"));
    List<JsonNode> rejected = JsonLines.readRecords(results.resolve("rejected.jsonl"));
    List<JsonNode> alerts = JsonLines.readRecords(results.resolve("alerts.jsonl"));
    long flagged = scores.stream().filter(n -> n.get("anomalous").asBoolean()).count();
    assertThat(flagged).as("calibrated at the median").isEqualTo(5);
    assertThat(alerts).as("5 flagged in 2 sources: one has 2 within the window").isNotEmpty();
    waitFor("the alerts shown", () -> Long.toString(alerts.size()).equals(text("total-alerts")));

    // Totals: every record of the three files, once.
    assertThat(text("total-flagged")).isEqualTo(Long.toString(flagged));
    assertThat(text("total-rejected")).isEqualTo("1");
    assertThat(text("total-read")).isEqualTo(Integer.toString(scores.size() + rejected.size() + alerts.size()));
    assertThat(text("model-name")).isEqualTo("tiny");
    assertThat(text("model-sha")).isEqualTo(scores.get(0).at("/model/sha256").asText().substring(0, 12));
    assertThat(Double.parseDouble(text("model-threshold"))).isCloseTo(threshold, org.assertj.core.data.Percentage.withPercentage(0.1));

    // The charts: one per source, a point per score of that source, flagged ones marked.
    for (String cam : List.of("cam1", "cam2")) {
      List<JsonNode> mine = scores.stream().filter(n -> n.get("source").asText().equals(cam)).toList();
      waitFor("the chart of " + cam, () -> ((Number) js(
          "const u = window.diffad.charts[arguments[0]]; return u ? u.data[1].filter(v => v != null).length : -1;",
          cam)).intValue() == mine.size());
      long marked = ((Number) js("return window.diffad.charts[arguments[0]].data[2].filter(v => v != null).length;",
          cam)).longValue();
      assertThat(marked).isEqualTo(mine.stream().filter(n -> n.get("anomalous").asBoolean()).count());
      List<?> ys = (List<?>) js("return window.diffad.charts[arguments[0]].data[1].filter(v => v != null);", cam);
      assertThat(ys.stream().map(v -> ((Number) v).doubleValue()).sorted().toList())
          .isEqualTo(mine.stream().map(n -> n.get("score").asDouble()).sorted().toList());
      assertThat(((List<?>) js("return window.diffad.charts[arguments[0]].data[3];", cam)).stream()
          .map(v -> ((Number) v).doubleValue()).distinct().toList()).as("the threshold series").containsExactly(threshold);
    }

    // The alerts table: the job's alerts, newest first, each with its source, count and times.
    List<JsonNode> newestFirst = new ArrayList<>(alerts);
    newestFirst.sort(Comparator.comparing((JsonNode n) -> Instant.parse(n.get("ts").asText())).reversed());
    List<?> rows = (List<?>) js("return Array.from(document.querySelectorAll('#alerts tbody tr')).map(tr => ["
        + "tr.querySelector('td.source').textContent, tr.querySelector('td.count').textContent,"
        + "tr.querySelector('td.first time').getAttribute('datetime'), tr.querySelector('td.last time').getAttribute('datetime'),"
        + "tr.dataset.state, tr.querySelector('td.state').textContent]);");
    assertThat(rows).hasSize(alerts.size());
    for (int i = 0; i < rows.size(); i++) {
      JsonNode a = newestFirst.get(i);
      assertThat(new ArrayList<Object>((List<?>) rows.get(i))).as("alert row " + i).containsExactly(a.get("source").asText(),
          a.get("count").asText(), a.get("firstTs").asText(), a.get("lastTs").asText(), "open", "open");
    }

    // The rejected input with its reason; a heatmap thumbnail per flagged input, loaded.
    waitFor("the rejection shown", () -> browser.findElements(By.cssSelector("#rejected tbody tr")).size() == 1);
    assertThat(browser.findElement(By.cssSelector("#rejected td.id")).getText()).isEqualTo("cam2/notes.png");
    assertThat(browser.findElement(By.cssSelector("#rejected td.reason")).getText()).isEqualTo("DECODE_FAILED");
    waitFor("the thumbnails", () -> browser.findElements(By.cssSelector("#flagged .thumb")).size() == flagged);
    waitFor("a heatmap thumbnail loaded", () -> ((Number) js("return Math.min(...Array.from("
        + "document.querySelectorAll('#flagged .thumb img')).map(i => i.complete ? i.naturalWidth : 0));"))
        .intValue() == 32);

    // A record arriving while the page is open: the job scores a new image; measured from the
    // moment its line is in the file to the moment the page shows it.
    watch("#total-scored", "11");
    writeImage(in.resolve("cam1/late.png"), true, 99);
    long committed = awaitLines(results.resolve("scores.jsonl"), 11);
    long liveMillis = seenAt() - committed;
    System.out.printf(Locale.ROOT, "dashboard: a record the job wrote showed %d ms after it was in the file%n", liveMillis);
    assertThat(liveMillis).isLessThan(WITHIN_MILLIS);
    waitFor("its point in the chart", () -> ((Number) js(
        "return window.diffad.charts['cam1'].data[1].filter(v => v != null).length;")).intValue() == 6);

    // The job stops; records written by hand afterwards, with hostile HTML in id, source and detail.
    job.cancel().get(60, TimeUnit.SECONDS);
    String hostile = SCRIPT + IMG;
    String overlay = results.resolve("overlays/cam1/img-0.png").toString();
    String rejection = JsonLines.toJson(Map.of("id", "cam9/" + hostile, "source", "cam9" + hostile,
        "rejected", true, "reason", "DECODE_FAILED", "detail", "first bytes " + hostile));
    String score = JsonLines.toJson(Map.of("id", "x/" + hostile, "source", "src" + hostile, "kind", "image",
        "ts", Instant.now().toString(), "score", s[9] * 2, "normalized", 1.0, "threshold", threshold,
        "anomalous", true, "outputs", Map.of("overlay", overlay)));
    watch("#rejected td.detail", "first bytes " + hostile);
    long t0 = System.currentTimeMillis();
    Files.writeString(results.resolve("rejected.jsonl"), rejection + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    long handMillis = seenAt() - t0;
    System.out.printf(Locale.ROOT, "dashboard: a record appended to rejected.jsonl showed %d ms after the write%n", handMillis);
    assertThat(handMillis).isLessThan(WITHIN_MILLIS);
    Files.writeString(results.resolve("scores.jsonl"), score + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    waitFor("the hostile score's thumbnail", () -> browser.findElements(By.cssSelector("#flagged .thumb")).size() == flagged + 1
        || browser.findElements(By.cssSelector("#flagged .thumb")).size() == flagged + 2);
    waitFor("its chart", () -> (Boolean) js("return !!window.diffad.charts[arguments[0]];", "src" + hostile));

    assertThat(js("return window.__xss === undefined;")).as("no script of a record ran").isEqualTo(true);
    assertThat(((Number) js("return document.querySelectorAll('img').length - document.querySelectorAll('#flagged .thumb > img').length;"))
        .intValue()).as("no img element but the thumbnails'").isZero();
    assertThat(((Number) js("return document.querySelectorAll('[onerror], img[src=\"x\"], script:not([src])').length;"))
        .intValue()).isZero();
    assertThat(((Number) js("return document.scripts.length;")).intValue()).as("the page's two scripts only").isEqualTo(2);
    assertThat(browser.findElement(By.cssSelector("#rejected td.id")).getText()).isEqualTo("cam9/" + hostile);
    assertThat(browser.findElement(By.cssSelector("#rejected td.source")).getText()).isEqualTo("cam9" + hostile);
    assertThat(browser.findElement(By.cssSelector("#flagged .thumb .id")).getText()).isEqualTo("x/" + hostile);
    assertThat((String) js("return Array.from(document.querySelectorAll('.source h3')).map(h => h.textContent).join('|');"))
        .contains("src" + hostile);
    int alertsNow = JsonLines.readRecords(results.resolve("alerts.jsonl")).size();
    waitFor("totals of everything read", () -> Integer.toString(scores.size() + 1 + 1 + rejected.size() + 1 + alertsNow)
        .equals(text("total-read")));

    File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
    Path target = Path.of("target", "dashboard-browser.png");
    Files.createDirectories(target.getParent());
    Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
    System.out.println("dashboard: screenshot " + target.toAbsolutePath());
  }

  private ChromeDriver startBrowser() {
    ChromeOptions o = new ChromeOptions();
    o.setBinary(CHROMIUM.toFile());
    o.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
        "--window-size=1400,1700", "--no-first-run", "--disable-extensions");
    // The driver is Debian's: no Selenium Manager, no download.
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
    return new ChromeDriver(service, o);
  }

  private String text(String id) {
    return browser.findElement(By.id(id)).getText();
  }

  private Object js(String script, Object... args) {
    return ((JavascriptExecutor) browser).executeScript(script, args);
  }

  /**
   * Records in the browser, by its clock, when an element matching {@code selector} first has the
   * text {@code text} (checked at every change of the page).
   */
  private void watch(String selector, String text) {
    js("window.__seenAt = null; const sel = arguments[0], want = arguments[1];"
        + "const has = () => Array.from(document.querySelectorAll(sel)).some(e => e.textContent === want);"
        + "const o = new MutationObserver(() => { if (window.__seenAt === null && has()) {"
        + " window.__seenAt = Date.now(); o.disconnect(); } });"
        + "o.observe(document.body, {subtree: true, childList: true, characterData: true});", selector, text);
  }

  /** When the watched condition held, by the browser's clock (ms since the epoch). */
  private long seenAt() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      Object v = js("return window.__seenAt;");
      if (v != null) {
        return ((Number) v).longValue();
      }
      Thread.sleep(20);
    }
    throw new AssertionError("the page never showed it");
  }

  private void waitFor(String what, Supplier<Boolean> condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      try {
        if (Boolean.TRUE.equals(condition.get())) {
          return;
        }
      } catch (RuntimeException e) {
        // not there yet
      }
      Thread.sleep(50);
    }
    throw new AssertionError("timed out waiting for " + what + "; totals: " + browser.findElement(By.id("totals")).getText());
  }

  /** Waits until {@code file} has {@code n} complete lines; returns when it saw them (ms since the epoch). */
  private static long awaitLines(Path file, int n) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (System.nanoTime() < deadline) {
      if (Files.exists(file) && JsonLines.readLines(file).size() >= n) {
        return System.currentTimeMillis();
      }
      Thread.sleep(5);
    }
    throw new AssertionError("timed out waiting for " + n + " lines in " + file + ": "
        + (Files.exists(file) ? Files.readAllLines(file).stream().collect(Collectors.joining("\n")) : "no file"));
  }
}
