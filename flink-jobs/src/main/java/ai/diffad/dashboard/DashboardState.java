package ai.diffad.dashboard;

import ai.diffad.denoise.record.JsonLines;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * What the dashboard knows: exact totals of every record read, and bounded windows of recent ones
 * (per source: the last {@code window} scores and input times; overall: the latest flagged inputs,
 * rejections and alerts). Feeds {@link #accept} records and {@link #unreadable} lines; the server
 * takes a {@link #snapshot} for a browser that connects and {@link #drain}s the changes since the
 * last drain for the ones connected. Every item carries a sequence number, so a browser that got
 * a snapshot skips the items of the next update that the snapshot already held.
 *
 * <p>The changes waiting for a drain are bounded too: past {@link #MAX_PENDING} items the drain
 * becomes a fresh snapshot (which is bounded by the windows) instead of a list of changes.
 *
 * <p>Thread-safe: feeds and the server call it from their own threads.
 */
public final class DashboardState {
  /** Changes held between two drains before the next drain is a snapshot instead. */
  static final int MAX_PENDING = 5000;
  /** The input rate is measured over this many milliseconds. */
  static final long RATE_MILLIS = 60_000;
  /** Every source's summary (its rate) is sent again at least this often, changed or not. */
  static final long SUMMARY_MILLIS = 5_000;

  /** The kinds of record the jobs write. */
  public enum Kind {
    /** A result ({@code scores.jsonl}, {@code diffad.scores}). */
    SCORE,
    /** A rejection ({@code rejected.jsonl}, {@code diffad.rejected}). */
    REJECTED,
    /** An alert ({@code alerts.jsonl}, {@code diffad.alerts}). */
    ALERT
  }

  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private final DashboardSettings settings;
  private final ResultsFiles files;
  private final String feed;
  private final LongSupplier clock;

  private long seq;
  private long scored;
  private long unscored;
  private long flagged;
  private long rejected;
  private long alertCount;
  private long unreadable;
  private long resets;
  private long feedClock;
  private String feedError;
  private JsonNode model;
  private Double threshold;
  private final LinkedHashMap<String, Source> sources = new LinkedHashMap<>(16, 0.75f, true);
  private final Deque<ObjectNode> flaggedItems = new ArrayDeque<>();
  private final Deque<ObjectNode> rejectedItems = new ArrayDeque<>();
  private final Deque<ObjectNode> alertItems = new ArrayDeque<>();

  private final List<ObjectNode> pendingPoints = new ArrayList<>();
  private final List<ObjectNode> pendingFlagged = new ArrayList<>();
  private final List<ObjectNode> pendingRejected = new ArrayList<>();
  private final List<ObjectNode> pendingAlerts = new ArrayList<>();
  private final Set<String> changedSources = new LinkedHashSet<>();
  private boolean changed;
  private boolean resync;
  private long summariesSent;

  /** One source's recent scores and input times, and its counts. */
  private final class Source {
    final String name;
    final Deque<double[]> points = new ArrayDeque<>(); // {seq, t seconds, score, flagged, threshold}
    final Deque<Long> inputs = new ArrayDeque<>();     // input times, ms
    long scored;
    long flagged;
    long rejected;
    long lastFlagged;
    Double threshold;

    Source(String name) {
      this.name = name;
    }

    void input(long at) {
      inputs.addLast(at);
      while (inputs.size() > settings.window()) {
        inputs.removeFirst();
      }
    }

    ObjectNode summary(long now) {
      ObjectNode o = F.objectNode();
      o.put("name", name);
      o.put("scored", scored);
      o.put("flagged", flagged);
      o.put("rejected", rejected);
      o.put("flaggedShare", scored == 0 ? 0 : (double) flagged / scored);
      long recent = inputs.stream().filter(t -> t > now - RATE_MILLIS).count();
      o.put("perMinute", recent * 60_000.0 / RATE_MILLIS);
      if (lastFlagged > 0) {
        o.put("lastFlagged", lastFlagged);
      }
      if (threshold != null) {
        o.put("threshold", threshold);
      }
      return o;
    }
  }

  /**
   * @param settings the bounds
   * @param files the results folder images are served from (its root may be null)
   * @param feed what the records come from, for the page
   * @param clock milliseconds since the epoch (the rate's "now")
   */
  public DashboardState(DashboardSettings settings, ResultsFiles files, String feed, LongSupplier clock) {
    this.settings = settings;
    this.files = files;
    this.feed = feed;
    this.clock = clock;
  }

  /** The bounds. */
  public DashboardSettings settings() {
    return settings;
  }

  /** One record of a kind, as read; false (and counted as unreadable) if it is not one. */
  public synchronized boolean accept(Kind kind, JsonNode r) {
    if (r == null || !r.isObject()) {
      unreadable++;
      changed = true;
      return false;
    }
    long now = clock.getAsLong();
    switch (kind) {
      case SCORE -> {
        return score(r, now);
      }
      case REJECTED -> {
        return rejection(r, now);
      }
      default -> {
        return alert(r);
      }
    }
  }

  /** One line that is not a JSON object (counted, shown as "unreadable"). */
  public synchronized void unreadable() {
    unreadable++;
    changed = true;
  }

  /** Forgets everything (a feed that reads its files again from the start). */
  public synchronized void reset() {
    scored = unscored = flagged = rejected = alertCount = unreadable = 0;
    feedClock = 0;
    model = null;
    threshold = null;
    sources.clear();
    flaggedItems.clear();
    rejectedItems.clear();
    alertItems.clear();
    resets++;
    markResync();
  }

  /** The feed's last error (null: none), shown on the page. */
  public synchronized void feedError(String message) {
    if (!java.util.Objects.equals(message, feedError)) {
      feedError = message;
      changed = true;
    }
  }

  private boolean score(JsonNode r, long now) {
    String id = text(r, "id");
    JsonNode scoreNode = r.get("score");
    if (id == null) {
      unreadable++;
      changed = true;
      return false;
    }
    String source = source(r);
    long at = time(r.get("ts"), now);
    feedClock = Math.max(feedClock, at);
    if (scoreNode == null || !scoreNode.isNumber()) {
      unscored++; // a result without a score: the batch job's denoised records
      Source s = source(source);
      s.input(at);
      changedSources.add(source);
      changed = true;
      return true;
    }
    double score = scoreNode.asDouble();
    boolean isFlagged = r.path("anomalous").asBoolean(false);
    Double thr = r.path("threshold").isNumber() ? r.get("threshold").asDouble() : null;
    scored++;
    if (r.has("model") && r.get("model").isObject()) {
      model = r.get("model");
    }
    if (thr != null) {
      threshold = thr;
    }
    Source s = source(source);
    s.scored++;
    s.threshold = thr;
    s.input(at);
    long n = ++seq;
    double t = at / 1000.0;
    s.points.addLast(new double[] {n, t, score, isFlagged ? 1 : 0, thr == null ? Double.NaN : thr});
    while (s.points.size() > settings.window()) {
      s.points.removeFirst();
    }
    pending(pendingPoints, point(source, n, t, score, isFlagged, thr));
    if (isFlagged) {
      flagged++;
      s.flagged++;
      s.lastFlagged = Math.max(s.lastFlagged, at);
      ObjectNode f = F.objectNode();
      f.put("seq", n);
      f.put("id", id);
      f.put("source", source);
      f.put("ts", at);
      f.put("score", score);
      if (r.path("normalized").isNumber()) {
        f.put("normalized", r.get("normalized").asDouble());
      }
      if (thr != null) {
        f.put("threshold", thr);
      }
      JsonNode outputs = r.path("outputs");
      String overlay = files.relativeOf(text(outputs, "overlay"));
      String map = files.relativeOf(text(outputs, "map"));
      if (overlay != null) {
        f.put("overlay", overlay);
      }
      if (map != null) {
        f.put("map", map);
      }
      add(flaggedItems, f, settings.thumbnails());
      pending(pendingFlagged, f);
    }
    changedSources.add(source);
    changed = true;
    return true;
  }

  private boolean rejection(JsonNode r, long now) {
    String id = text(r, "id");
    if (id == null) {
      unreadable++;
      changed = true;
      return false;
    }
    String source = source(r);
    long at = feedClock > 0 ? feedClock : now; // rejections carry no time: the feed's latest
    rejected++;
    Source s = source(source);
    s.rejected++;
    s.input(at);
    ObjectNode o = F.objectNode();
    o.put("seq", ++seq);
    o.put("id", id);
    o.put("source", source);
    o.put("reason", String.valueOf(text(r, "reason")));
    String detail = text(r, "detail");
    o.put("detail", detail == null ? "" : detail.length() > 2000 ? detail.substring(0, 2000) + "…" : detail);
    o.put("ts", at);
    add(rejectedItems, o, settings.rejections());
    pending(pendingRejected, o);
    changedSources.add(source);
    changed = true;
    return true;
  }

  private boolean alert(JsonNode r) {
    if (!r.has("count") || !r.has("ts")) {
      unreadable++;
      changed = true;
      return false;
    }
    alertCount++;
    ObjectNode o = F.objectNode();
    o.put("seq", ++seq);
    o.put("source", source(r));
    o.put("ts", String.valueOf(text(r, "ts")));
    o.put("count", r.path("count").asInt());
    o.put("windowSeconds", r.path("windowSeconds").asDouble());
    o.put("cooldownSeconds", r.path("cooldownSeconds").asDouble());
    for (String k : List.of("firstTs", "lastTs", "firstId", "lastId", "maxScoreId")) {
      String v = text(r, k);
      if (v != null) {
        o.put(k, v);
      }
    }
    if (r.path("maxScore").isNumber()) {
      o.put("maxScore", r.get("maxScore").asDouble());
    }
    add(alertItems, o, settings.alerts());
    pending(pendingAlerts, o);
    changed = true;
    return true;
  }

  private Source source(String name) {
    Source s = sources.get(name); // access order: the least recently updated first
    if (s == null) {
      s = new Source(name);
      sources.put(name, s);
      if (sources.size() > settings.maxSources()) {
        Iterator<Map.Entry<String, Source>> it = sources.entrySet().iterator();
        it.next();
        it.remove();
        markResync(); // browsers drop it with the next snapshot
      }
    }
    return s;
  }

  private static ObjectNode point(String source, long n, double t, double score, boolean flagged,
      Double thr) {
    ObjectNode p = F.objectNode();
    p.put("seq", n);
    p.put("source", source);
    p.put("t", t);
    p.put("score", score);
    p.put("flagged", flagged);
    if (thr != null) {
      p.put("threshold", thr);
    }
    return p;
  }

  private void pending(List<ObjectNode> list, ObjectNode item) {
    if (resync) {
      return;
    }
    list.add(item);
    if (pendingPoints.size() + pendingFlagged.size() + pendingRejected.size() + pendingAlerts.size()
        > MAX_PENDING) {
      markResync();
    }
  }

  private void markResync() {
    resync = true;
    changed = true;
    pendingPoints.clear();
    pendingFlagged.clear();
    pendingRejected.clear();
    pendingAlerts.clear();
    changedSources.clear();
  }

  private static void add(Deque<ObjectNode> d, ObjectNode item, int max) {
    d.addFirst(item);
    while (d.size() > max) {
      d.removeLast();
    }
  }

  /** The totals (exact counts of everything read). */
  public synchronized Totals totals() {
    return new Totals(scored, unscored, flagged, rejected, alertCount, unreadable);
  }

  /**
   * Counts of everything read: each line or message is exactly one of scored, unscored, rejected,
   * alerts or unreadable.
   */
  public record Totals(long scored, long unscored, long flagged, long rejected, long alerts,
      long unreadable) {
    /** Records and lines read in all. */
    public long read() {
      return scored + unscored + rejected + alerts + unreadable;
    }
  }

  /** Everything held, for a browser that connects ({@code event: snapshot}). */
  public synchronized ObjectNode snapshot() {
    long now = clock.getAsLong();
    ObjectNode o = head(now);
    ArrayNode src = o.putArray("sources");
    for (Source s : sources.values()) {
      ObjectNode so = s.summary(now);
      ArrayNode pts = so.putArray("points");
      for (double[] p : s.points) {
        ArrayNode a = pts.addArray();
        a.add(p[1]).add(p[2]).add(p[3] != 0);
        if (Double.isNaN(p[4])) {
          a.addNull();
        } else {
          a.add(p[4]);
        }
      }
      src.add(so);
    }
    o.putArray("flagged").addAll(new ArrayList<>(flaggedItems));
    o.putArray("rejected").addAll(new ArrayList<>(rejectedItems));
    o.putArray("alerts").addAll(new ArrayList<>(alertItems));
    return o;
  }

  /**
   * The changes since the last drain ({@code event: update}), a full snapshot when more changed
   * than {@link #MAX_PENDING} (its field {@code snapshot} is then true), or null when nothing
   * changed.
   */
  public synchronized ObjectNode drain() {
    long now = clock.getAsLong();
    boolean all = now - summariesSent >= SUMMARY_MILLIS && !sources.isEmpty();
    if (!changed && !all) {
      return null;
    }
    ObjectNode o;
    if (resync) {
      o = snapshot();
      o.put("snapshot", true);
      summariesSent = now;
    } else {
      o = head(now);
      o.put("snapshot", false);
      ArrayNode src = o.putArray("sources");
      if (all) {
        summariesSent = now;
      }
      for (Source s : sources.values()) {
        if (all || changedSources.contains(s.name)) {
          src.add(s.summary(now));
        }
      }
      o.putArray("points").addAll(pendingPoints);
      o.putArray("flagged").addAll(pendingFlagged);
      o.putArray("rejected").addAll(pendingRejected);
      o.putArray("alerts").addAll(pendingAlerts);
    }
    pendingPoints.clear();
    pendingFlagged.clear();
    pendingRejected.clear();
    pendingAlerts.clear();
    changedSources.clear();
    changed = false;
    resync = false;
    return o;
  }

  private ObjectNode head(long now) {
    ObjectNode o = F.objectNode();
    o.put("seq", seq);
    o.put("now", now);
    o.put("feed", feed);
    if (feedError != null) {
      o.put("feedError", feedError);
    }
    ObjectNode limits = o.putObject("limits");
    limits.put("window", settings.window());
    limits.put("thumbnails", settings.thumbnails());
    limits.put("rejections", settings.rejections());
    limits.put("alerts", settings.alerts());
    o.put("resets", resets);
    ObjectNode m = o.putObject("model");
    if (model != null) {
      m.put("name", model.path("name").asText(""));
      m.put("sha256", model.path("sha256").asText(""));
    }
    if (threshold != null) {
      m.put("threshold", threshold);
    }
    Totals t = new Totals(scored, unscored, flagged, rejected, alertCount, unreadable);
    o.set("totals", JsonLines.mapper().valueToTree(t));
    ((ObjectNode) o.get("totals")).put("read", t.read());
    return o;
  }

  private static String source(JsonNode r) {
    String s = text(r, "source");
    return s == null ? "" : s;
  }

  private static String text(JsonNode r, String field) {
    JsonNode n = r == null ? null : r.get(field);
    return n == null || n.isNull() ? null : n.isValueNode() ? n.asText() : n.toString();
  }

  private static long time(JsonNode ts, long fallback) {
    if (ts == null || !ts.isTextual()) {
      return fallback;
    }
    try {
      return Instant.parse(ts.asText()).toEpochMilli();
    } catch (DateTimeParseException e) {
      return fallback;
    }
  }
}
