package ai.diffad.flink.cluster;

import ai.diffad.flink.TinyModel;
import ai.diffad.flink.kafka.KafkaBroker;
import ai.diffad.denoise.record.JsonLines;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Failover of the diffad jobs on a real multi-process cluster (issue 13, items 1 and 2): a Kafka
 * broker, a JobManager and two TaskManagers, each its own JVM; one TaskManager is killed with
 * SIGKILL while the job works, and the results are checked input by input.
 *
 * <p>Streaming: the stream job (Kafka in, Kafka out, exactly once, checkpoints every 2 s) is
 * submitted with {@code flink run}; records are written to the input topic at a steady rate; once
 * part of them are committed and more are in flight, a TaskManager that holds tasks is killed; the
 * job restarts from its last checkpoint on the survivor; a {@code read_committed} consumer then
 * finds every input id exactly once among scores and rejections, and no alert twice.
 *
 * <p>Batch: a replacement TaskManager joins; the batch job runs once uninterrupted (the reference)
 * and once with a TaskManager killed midway, then is submitted again; every input has exactly one
 * record and its denoised file, byte-identical to the reference.
 *
 * <p>Each ends with one line: {@code inputs N, scored once N, missing 0, duplicated 0, recovery S s}.
 * Run by {@code bench/cluster-failover.sh} (2,000 records, 500 files, the cluster jar) and, shorter,
 * by {@code ClusterFailoverITCase}.
 */
public final class ClusterFailover {
  /** How one scenario ended. */
  public record Result(String what, int inputs, int scoredOnce, int missing, int duplicated,
      double recoverySeconds, String detail) {
    /** No input lost, none twice, and every other check held. */
    public boolean ok() {
      return inputs > 0 && scoredOnce == inputs && missing == 0 && duplicated == 0 && detail.isEmpty();
    }

    /** The one line the script ends with. */
    public String line() {
      return String.format(Locale.ROOT, "%s: inputs %d, scored once %d, missing %d, duplicated %d, recovery %.1f s%s",
          what, inputs, scoredOnce, missing, duplicated, recoverySeconds, detail.isEmpty() ? "" : "; FAILED: " + detail);
    }
  }

  /** What to run. */
  public record Settings(Path work, Path jobJar, String clusterClasspath, String brokerClasspath,
      Path model, int records, double recordsPerSecond, int files) {}

  private static final String IN = "diffad.inputs";
  private static final String SCORES = "diffad.scores";
  private static final String ALERTS = "diffad.alerts";
  private static final String REJECTED = "diffad.rejected";

  private final Settings s;
  private final PrintStream log;
  private final List<String> alive = new ArrayList<>();

  public ClusterFailover(Settings s, PrintStream log) {
    this.s = s;
    this.log = log;
  }

  /** Runs the streaming scenario, then (if {@code files > 0}) the batch one, on one cluster. */
  public List<Result> run() throws Exception {
    List<Result> results = new ArrayList<>();
    Files.createDirectories(s.work());
    try (ClusterProcesses procs = new ClusterProcesses(s.work())) {
      Path model = s.model() != null ? s.model() : TinyModel.train(s.work().resolve("model"));
      say("starting a Kafka broker (own JVM, KRaft)");
      KafkaServer kafka = KafkaServer.start(procs, s.work().resolve("kafka"), s.brokerClasspath());
      kafka.createTopics(2, IN, SCORES, ALERTS, REJECTED);
      say("starting a JobManager and TaskManagers tm-1, tm-2 (own JVMs)");
      StandaloneFlink flink = new StandaloneFlink(procs, s.work().resolve("flink"), s.clusterClasspath(),
          2, s.work().resolve("checkpoints"));
      flink.startJobManager();
      flink.startTaskManager("tm-1");
      flink.startTaskManager("tm-2");
      alive.addAll(List.of("tm-1", "tm-2"));
      flink.awaitTaskManagers(alive, Duration.ofMinutes(2));
      say("cluster up, REST at " + flink.restAddress());
      if (s.records() > 0) {
        results.add(stream(flink, kafka, model));
        log.println(results.get(results.size() - 1).line());
      }
      if (s.files() > 0) {
        results.add(batch(flink, model));
        log.println(results.get(results.size() - 1).line());
      }
    }
    return results;
  }

  private Result stream(StandaloneFlink flink, KafkaServer kafka, Path model)
      throws Exception {
    Path cfg = s.work().resolve("stream.yaml");
    Files.writeString(cfg, String.join("\n",
        "model: \"" + model.toAbsolutePath() + "\"",
        "engine: " + JsonLines.mapper().writeValueAsString(TinyModel.engine()),
        "source:",
        "  kind: kafka",
        "  kafka: {bootstrapServers: \"" + kafka.bootstrapServers() + "\", topic: " + IN
            + ", groupId: failover, startingOffsets: earliest}",
        "batching: {maxSize: 8, maxWait: 200ms}",
        "outputs:",
        "  kafka: {bootstrapServers: \"" + kafka.bootstrapServers() + "\", scores: " + SCORES
            + ", alerts: " + ALERTS + ", rejected: " + REJECTED
            + ", transactionalIdPrefix: failover, transactionTimeout: 5m}",
        // every scored record counts toward an alert: a few alerts per source over the run
        "alerts: {count: 5, window: 30s, cooldown: 3s, threshold: 0.0}",
        "checkpointing: {interval: 2s, exactlyOnce: on, dir: \""
            + s.work().resolve("checkpoints").toAbsolutePath() + "\"}",
        "parallelism: 2",
        ""));
    ClusterProcesses.Jvm client = flink.run("flink-run-stream", s.jobJar(), List.of("stream", "--config", cfg.toString()));
    String jid = flink.awaitJob("diffad stream", client, Duration.ofMinutes(3));
    long until = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    StandaloneFlink.JobStatus st0;
    while (!(st0 = flink.status(jid)).allRunning()) {
      check(client.process().isAlive() && System.nanoTime() < until,
          "stream job " + jid + " not running:\n" + ClusterProcesses.tail(client, 30));
      Thread.sleep(300);
    }
    say("stream job " + jid + " running, its tasks on " + st0.taskManagers());

    Map<String, Integer> seen = new ConcurrentHashMap<>();
    AtomicBoolean stopReading = new AtomicBoolean();
    Thread reader = new Thread(() -> readCommitted(kafka, List.of(SCORES, REJECTED), seen, stopReading),
        "read-committed");
    reader.start();
    AtomicInteger produced = new AtomicInteger();
    Thread producer = new Thread(() -> produce(kafka, produced), "producer");
    producer.start();
    try {
      // kill once a quarter is committed and more are written than committed: records in flight
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
      while (!(seen.size() >= s.records() / 4 && seen.size() < produced.get())) {
        check(System.nanoTime() < deadline && seen.size() < s.records(), "no moment to kill at: "
            + seen.size() + " committed of " + produced.get() + " written");
        Thread.sleep(50);
      }
      String victim = flink.status(jid).taskManagers().iterator().next();
      int committedAtKill = seen.size();
      int writtenAtKill = produced.get();
      long killedAt = System.nanoTime();
      ClusterProcesses.kill(flink.taskManager(victim));
      alive.remove(victim);
      say(String.format(Locale.ROOT, "SIGKILL %s (pid %d) with %d of %d written records committed",
          victim, flink.taskManager(victim).pid(), committedAtKill, writtenAtKill));

      double recovery = Double.NaN;
      deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
      while (System.nanoTime() < deadline) {
        StandaloneFlink.JobStatus st = flink.status(jid);
        if (st.attempt() >= 1 && "RUNNING".equals(st.state()) && st.allRunning()) {
          recovery = (System.nanoTime() - killedAt) / 1e9;
          break;
        }
        check(!List.of("FAILED", "CANCELED", "FINISHED").contains(st.state()), "stream job ended: " + st);
        Thread.sleep(200);
      }
      check(!Double.isNaN(recovery), "stream job not running again 5 min after the kill");
      StandaloneFlink.JobStatus after = flink.status(jid);
      say(String.format(Locale.ROOT, "running again after %.1f s (attempt %d), its tasks on %s", recovery,
          after.attempt(), after.taskManagers()));
      check(!after.taskManagers().contains(victim), "tasks on the killed " + victim);
      producer.join(TimeUnit.MINUTES.toMillis(5));

      // idle: every input answered, or nothing new for a minute
      long lastGrowth = System.nanoTime();
      int last = -1;
      while (seen.size() < s.records() && System.nanoTime() - lastGrowth < TimeUnit.SECONDS.toNanos(60)) {
        if (seen.size() != last) {
          last = seen.size();
          lastGrowth = System.nanoTime();
        }
        Thread.sleep(200);
      }
      Thread.sleep(3 * 2000 + 2000); // three more checkpoints: a late duplicate would show now
      stopReading.set(true);
      reader.join(30_000);
      flink.cancel(jid);
      flink.awaitState(jid, Duration.ofMinutes(1), "CANCELED");
      client.process().waitFor(60, TimeUnit.SECONDS);

      Map<String, Integer> counts = countIds(kafka, List.of(SCORES, REJECTED));
      Map<String, Integer> alerts = alertKeys(kafka);
      return tally("stream", counts, ids(s.records()), recovery, alerts, committedAtKill < writtenAtKill
          ? "" : "nothing in flight at the kill");
    } finally {
      stopReading.set(true);
      producer.interrupt();
      reader.join(10_000);
    }
  }

  private Result batch(StandaloneFlink flink, Path model) throws Exception {
    if (alive.size() < 2) {
      say("tm-3 replaces the killed TaskManager");
      flink.startTaskManager("tm-3");
      alive.add("tm-3");
      flink.awaitTaskManagers(alive, Duration.ofMinutes(2));
    }
    Path in = s.work().resolve("archive");
    List<String> names = new ArrayList<>();
    for (int i = 0; i < s.files(); i++) {
      String name = String.format(Locale.ROOT, "part-%d/img-%05d.png", i % 5, i);
      names.add(name);
      TinyModel.writePng(in.resolve(name), 32, 32, 1, 1000 + i);
    }
    Path ref = s.work().resolve("batch-reference");
    Path out = s.work().resolve("batch-out");
    List<String> args = List.of("batch", "--model", model.toAbsolutePath().toString(), "--input",
        in.toAbsolutePath().toString(), "--parallelism", "2", "--max-batch", "4", "--out");
    say("batch reference run (uninterrupted), " + s.files() + " files");
    int rc = runToEnd(flink, "flink-run-batch-reference", concat(args, ref.toAbsolutePath().toString()));
    check(rc == 0, "the reference batch run exited " + rc);

    say("batch run with a TaskManager killed midway");
    ClusterProcesses.Jvm client = flink.run("flink-run-batch", s.jobJar(), concat(args, out.toAbsolutePath().toString()));
    String jid = flink.awaitJob("diffad batch", client, Duration.ofMinutes(3));
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    while (countFiles(out.resolve("denoised")) < s.files() / 3) {
      check(client.process().isAlive() && System.nanoTime() < deadline,
          "the batch job ended before a third was done:\n" + ClusterProcesses.tail(client, 20));
      Thread.sleep(100);
    }
    StandaloneFlink.JobStatus before = flink.status(jid);
    String victim = before.taskManagers().contains(alive.get(alive.size() - 1))
        ? alive.get(alive.size() - 1) : alive.get(0);
    long doneAtKill = countFiles(out.resolve("denoised"));
    long killedAt = System.nanoTime();
    ClusterProcesses.kill(flink.taskManager(victim));
    alive.remove(victim);
    say("SIGKILL " + victim + " (pid " + flink.taskManager(victim).pid() + ") with " + doneAtKill + " of "
        + s.files() + " files written; the job's tasks were on " + before.taskManagers());
    // recovered: the job's tasks run again in a new attempt (or, if the job failed, the resubmitted
    // job runs)
    double recovery = Double.NaN;
    while (client.process().isAlive() && System.nanoTime() - killedAt < TimeUnit.MINUTES.toNanos(10)) {
      if (Double.isNaN(recovery)) {
        StandaloneFlink.JobStatus st = flink.status(jid);
        if (st.attempt() >= 1 && "RUNNING".equals(st.state())) {
          recovery = (System.nanoTime() - killedAt) / 1e9;
          say(String.format(Locale.ROOT, "running again after %.1f s (attempt %d), its tasks on %s", recovery,
              st.attempt(), st.taskManagers()));
        }
      }
      Thread.sleep(100);
    }
    check(!client.process().isAlive(), "the interrupted batch run still runs after 10 min");
    int first = client.process().exitValue();
    say("interrupted run's client exited " + first + "; submitting again");
    ClusterProcesses.Jvm again = flink.run("flink-run-batch-again", s.jobJar(), concat(args, out.toAbsolutePath().toString()));
    if (Double.isNaN(recovery)) {
      String jid2 = flink.awaitJob("diffad batch", again, Duration.ofMinutes(3));
      flink.awaitState(jid2, Duration.ofMinutes(3), "RUNNING");
      recovery = (System.nanoTime() - killedAt) / 1e9;
    }
    check(again.process().waitFor(15, TimeUnit.MINUTES), "the resubmitted batch run still runs after 15 min");
    int second = again.process().exitValue();
    check(second == 0, "the resubmitted batch run exited " + second + ":\n" + ClusterProcesses.tail(again, 30));
    String said = Files.readAllLines(again.log(), StandardCharsets.UTF_8).stream()
        .filter(l -> l.startsWith("diffad batch: ") && l.contains("images:")).findFirst().orElse("(no summary)");
    say("resubmission: " + said);

    Map<String, Integer> counts = new HashMap<>();
    for (String f : List.of("scores.jsonl", "rejected.jsonl")) {
      Path p = out.resolve(f);
      if (Files.exists(p)) {
        for (String line : Files.readAllLines(p, StandardCharsets.UTF_8)) {
          counts.merge(JsonLines.mapper().readTree(line).path("id").asText(), 1, Integer::sum);
        }
      }
    }
    List<String> differ = new ArrayList<>();
    for (String name : names) {
      Path a = ref.resolve("denoised").resolve(name);
      Path b = out.resolve("denoised").resolve(name);
      if (!Files.exists(b) || !Files.exists(a) || Files.mismatch(a, b) != -1) {
        differ.add(name);
      }
    }
    long extra = countFiles(out.resolve("denoised")) - names.size();
    String detail = (differ.isEmpty() ? "" : differ.size() + " denoised files missing or not identical to the"
        + " uninterrupted run's, e.g. " + differ.subList(0, Math.min(3, differ.size())))
        + (extra == 0 ? "" : "; " + extra + " files in denoised/ that are no input's");
    Result r = tally("batch", counts, names,
        recovery, Map.of(), detail);
    say(String.format(Locale.ROOT, "batch: first run exit %d, resubmission exit %d, %d of %d files identical to the"
        + " uninterrupted run's", first, second, names.size() - differ.size(), names.size()));
    return r;
  }

  /** Records ids seen once, missing and twice; alerts seen twice count as duplicates too. */
  private Result tally(String what, Map<String, Integer> counts, List<String> expected, double recovery,
      Map<String, Integer> alerts, String detail) {
    int once = 0;
    int missing = 0;
    int twice = 0;
    for (String id : expected) {
      int c = counts.getOrDefault(id, 0);
      if (c == 1) {
        once++;
      } else if (c == 0) {
        missing++;
      } else {
        twice++;
      }
    }
    List<String> unknown = counts.keySet().stream().filter(k -> !expected.contains(k)).limit(3).toList();
    long alertsTwice = alerts.values().stream().filter(c -> c > 1).count();
    String d = detail;
    if (!unknown.isEmpty()) {
      d += (d.isEmpty() ? "" : "; ") + "records of unknown ids, e.g. " + unknown;
    }
    if (alertsTwice > 0) {
      d += (d.isEmpty() ? "" : "; ") + alertsTwice + " alerts twice";
    }
    if (what.equals("stream")) {
      say(alerts.size() + " alerts, " + alertsTwice + " of them twice");
    }
    return new Result(what, expected.size(), once, missing, twice, recovery, d);
  }

  private void produce(KafkaServer kafka, AtomicInteger produced) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    long t0 = System.nanoTime();
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
      List<String> ids = ids(s.records());
      for (int i = 0; i < ids.size(); i++) {
        long due = t0 + (long) (i / s.recordsPerSecond() * 1e9);
        long wait = due - System.nanoTime();
        if (wait > 0) {
          Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
        String source = i % 2 == 0 ? "cam-a" : "cam-b";
        producer.send(new ProducerRecord<>(IN, source, "{\"id\":\"" + ids.get(i) + "\",\"source\":\"" + source
            + "\",\"base64\":\"" + Base64.getEncoder().encodeToString(TinyModel.png(16, 16, 1, i)) + "\"}")).get();
        produced.incrementAndGet();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      say("producer failed: " + e);
    }
  }

  private static List<String> ids(int n) {
    List<String> l = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      l.add(String.format(Locale.ROOT, "rec-%06d", i));
    }
    return l;
  }

  /** Follows {@code topics} read_committed, counting ids, until told to stop. */
  private static void readCommitted(KafkaServer kafka, List<String> topics, Map<String, Integer> seen,
      AtomicBoolean stop) {
    try (KafkaConsumer<String, String> c = KafkaBroker.committedConsumer(kafka.bootstrapServers())) {
      List<TopicPartition> parts = partitions(c, topics);
      c.assign(parts);
      c.seekToBeginning(parts);
      while (!stop.get()) {
        for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
          seen.merge(id(r.value()), 1, Integer::sum);
        }
      }
    }
  }

  /** Every committed record of {@code topics}, counted by id (read to the end offsets). */
  private static Map<String, Integer> countIds(KafkaServer kafka, List<String> topics) {
    Map<String, Integer> counts = new HashMap<>();
    for (String v : readAll(kafka, topics)) {
      counts.merge(id(v), 1, Integer::sum);
    }
    return counts;
  }

  /** Alerts by identity (source, first and last id of the window). */
  private static Map<String, Integer> alertKeys(KafkaServer kafka) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (String v : readAll(kafka, List.of(ALERTS))) {
      JsonNode a = json(v);
      counts.merge(a.path("source").asText() + "|" + a.path("firstId").asText() + "|" + a.path("lastId").asText(),
          1, Integer::sum);
    }
    return counts;
  }

  private static List<String> readAll(KafkaServer kafka, List<String> topics) {
    List<String> out = new ArrayList<>();
    try (KafkaConsumer<String, String> c = KafkaBroker.committedConsumer(kafka.bootstrapServers())) {
      List<TopicPartition> parts = partitions(c, topics);
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts);
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
      while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
          out.add(r.value());
        }
      }
    }
    return out;
  }

  private static List<TopicPartition> partitions(KafkaConsumer<String, String> c, List<String> topics) {
    List<TopicPartition> l = new ArrayList<>();
    for (String t : topics) {
      c.partitionsFor(t, Duration.ofSeconds(30)).forEach(i -> l.add(new TopicPartition(t, i.partition())));
    }
    return l;
  }

  private static String id(String json) {
    return json(json).path("id").asText();
  }

  private static JsonNode json(String s) {
    try {
      return JsonLines.mapper().readTree(s);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private int runToEnd(StandaloneFlink flink, String name, List<String> args) throws Exception {
    ClusterProcesses.Jvm c = flink.run(name, s.jobJar(), args);
    check(c.process().waitFor(15, TimeUnit.MINUTES), name + " still running after 15 min");
    if (c.process().exitValue() != 0) {
      say(name + " exited " + c.process().exitValue() + ":\n" + ClusterProcesses.tail(c, 30));
    }
    return c.process().exitValue();
  }

  private static long countFiles(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> w = Files.walk(dir)) {
      return w.filter(p -> Files.isRegularFile(p) && !p.getFileName().toString().startsWith(".")).count();
    }
  }

  private static List<String> concat(List<String> a, String b) {
    List<String> l = new ArrayList<>(a);
    l.add(b);
    return l;
  }

  private static void check(boolean ok, String why) {
    if (!ok) {
      throw new IllegalStateException(why);
    }
  }

  private void say(String what) {
    log.printf(Locale.ROOT, "[cluster-failover %tT] %s%n", System.currentTimeMillis(), what);
    log.flush();
  }

  /**
   * {@code ClusterFailover WORK JOB_JAR CLUSTER_CLASSPATH_FILE BROKER_CLASSPATH_FILE RECORDS FILES
   * [RECORDS_PER_SECOND]}: exits 0 when every scenario held, 1 otherwise.
   */
  public static void main(String[] args) throws Exception {
    if (args.length < 6) {
      System.err.println("usage: ClusterFailover WORK JOB_JAR CLUSTER_CP_FILE BROKER_CP_FILE RECORDS FILES [RATE]");
      System.exit(2);
    }
    Settings st = new Settings(Path.of(args[0]).toAbsolutePath(), Path.of(args[1]).toAbsolutePath(),
        Files.readString(Path.of(args[2])).trim(), Files.readString(Path.of(args[3])).trim(), null,
        Integer.parseInt(args[4]), args.length > 6 ? Double.parseDouble(args[6]) : 50, Integer.parseInt(args[5]));
    List<Result> rs;
    try {
      rs = new ClusterFailover(st, System.out).run();
    } catch (Exception e) {
      System.out.println("cluster-failover: FAILED: " + e.getMessage());
      e.printStackTrace();
      System.exit(1);
      return;
    }
    System.out.println();
    rs.forEach(r -> System.out.println(r.line()));
    System.exit(rs.stream().allMatch(Result::ok) && !rs.isEmpty() ? 0 : 1);
  }
}
