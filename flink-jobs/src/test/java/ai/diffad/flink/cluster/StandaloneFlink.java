package ai.diffad.flink.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Flink standalone session cluster of separate JVMs on 127.0.0.1, started from the jars as
 * {@code jobmanager.sh} and {@code taskmanager.sh} do (STACK.md: the distribution archive is not on
 * Maven Central): {@code BashJavaUtils} computes each process's JVM memory arguments and dynamic
 * properties from {@code conf/config.yaml}, then {@code StandaloneSessionClusterEntrypoint} and
 * {@code TaskManagerRunner} run with them. The classpath plays the distribution's {@code lib/}:
 * Flink, DJL/PyTorch and JavaCPP/OpenCV, loaded parent-first (README, "Running on a Flink
 * cluster"). Jobs are submitted with Flink's own client ({@code CliFrontend run}), watched and
 * cancelled through the REST API.
 */
final class StandaloneFlink {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * The module openings Flink's scripts give every JVM ({@code env.java.default-opts.all} of the
   * distribution's configuration): without java.util open, {@code flink run} fails in
   * DataStreamV2SinkTransformationTranslator's static initialiser.
   */
  static final List<String> OPENS = List.of(
      "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
      "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
      "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
      "--add-opens=java.base/java.lang=ALL-UNNAMED",
      "--add-opens=java.base/java.net=ALL-UNNAMED",
      "--add-opens=java.base/java.io=ALL-UNNAMED",
      "--add-opens=java.base/java.nio=ALL-UNNAMED",
      "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
      "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
      "--add-opens=java.base/java.text=ALL-UNNAMED",
      "--add-opens=java.base/java.time=ALL-UNNAMED",
      "--add-opens=java.base/java.util=ALL-UNNAMED",
      "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
      "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
      "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

  private final ClusterProcesses procs;
  private final Path conf;
  private final String classpath;
  private final int restPort;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final Map<String, ClusterProcesses.Jvm> taskManagers = new HashMap<>();
  private ClusterProcesses.Jvm jobManager;

  /**
   * Writes the cluster's configuration under {@code dir/conf}.
   *
   * @param slots task slots per TaskManager
   * @param checkpoints the folder of checkpoints (a shared filesystem on a real cluster)
   */
  StandaloneFlink(ClusterProcesses procs, Path dir, String classpath, int slots, Path checkpoints)
      throws IOException {
    this.procs = procs;
    this.classpath = classpath;
    this.conf = dir.resolve("conf");
    this.restPort = ClusterProcesses.freePort();
    Files.createDirectories(conf);
    Files.writeString(conf.resolve("config.yaml"), String.join("\n",
        "jobmanager.rpc.address: 127.0.0.1",
        "jobmanager.rpc.port: " + ClusterProcesses.freePort(),
        "jobmanager.bind-host: 127.0.0.1",
        "jobmanager.memory.process.size: 1024m",
        "taskmanager.bind-host: 127.0.0.1",
        "taskmanager.host: 127.0.0.1",
        "taskmanager.numberOfTaskSlots: " + slots,
        "taskmanager.memory.process.size: 1728m",
        "taskmanager.memory.managed.size: 64m",
        // libtorch allocates outside the heap, where Flink's memory model does not see it
        "taskmanager.memory.task.off-heap.size: 256m",
        "rest.address: 127.0.0.1",
        "rest.bind-address: 127.0.0.1",
        "rest.port: " + restPort,
        "classloader.parent-first-patterns.additional: ai.djl.;org.bytedeco.",
        // a TaskManager killed with SIGKILL is noticed by failed heartbeat RPCs, within seconds
        "heartbeat.interval: 1000",
        "heartbeat.timeout: 10000",
        "taskmanager.load-balance.mode: slots", // a job's slots spread over the TaskManagers
        "restart-strategy.type: fixed-delay",
        "restart-strategy.fixed-delay.attempts: 20",
        "restart-strategy.fixed-delay.delay: 2 s",
        "execution.checkpointing.dir: " + checkpoints.toAbsolutePath().toUri(),
        "web.submit.enable: true",
        ""));
    Files.writeString(conf.resolve("log4j.properties"), String.join("\n",
        "rootLogger.level = INFO",
        "rootLogger.appenderRef.file.ref = file",
        "appender.file.type = File",
        "appender.file.name = file",
        "appender.file.fileName = ${sys:log.file}",
        "appender.file.layout.type = PatternLayout",
        "appender.file.layout.pattern = %d{HH:mm:ss,SSS} %-5p %c{1} - %m%n",
        "logger.kafka.name = org.apache.kafka",
        "logger.kafka.level = WARN",
        ""));
  }

  /** The REST address, {@code http://127.0.0.1:PORT}. */
  String restAddress() {
    return "http://127.0.0.1:" + restPort;
  }

  /** The configuration folder ({@code FLINK_CONF_DIR}). */
  Path confDir() {
    return conf;
  }

  /** Starts the JobManager and returns once its REST API answers. */
  void startJobManager() throws Exception {
    List<String>[] params = resourceParams("GET_JM_RESOURCE_PARAMS");
    jobManager = procs.start("jobmanager", classpath, jvmArgs(params[0], "jobmanager"),
        "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint",
        concat(List.of("--configDir", conf.toString()), params[1]), Map.of());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (true) {
      if (!jobManager.process().isAlive()) {
        throw new IllegalStateException("JobManager exited:\n" + ClusterProcesses.tail(jobManager, 40));
      }
      try {
        get("/overview");
        return;
      } catch (IOException e) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("JobManager's REST API not up after 120 s", e);
        }
        Thread.sleep(500);
      }
    }
  }

  /** Starts a TaskManager with resource id {@code name} (it registers on its own). */
  ClusterProcesses.Jvm startTaskManager(String name) throws Exception {
    List<String>[] params = resourceParams("GET_TM_RESOURCE_PARAMS");
    List<String> jvm = new ArrayList<>(jvmArgs(params[0], name));
    // one libtorch thread per slot's scorer on this 2-core machine (README: cores / slots)
    jvm.addAll(List.of("-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1",
        "-Dai.djl.pytorch.num_interop_threads=1"));
    ClusterProcesses.Jvm tm = procs.start(name, classpath, jvm,
        "org.apache.flink.runtime.taskexecutor.TaskManagerRunner",
        concat(List.of("--configDir", conf.toString(), "-D", "taskmanager.resource-id=" + name), params[1]),
        Map.of("OMP_NUM_THREADS", "1"));
    taskManagers.put(name, tm);
    return tm;
  }

  /** The TaskManager process started as {@code name}. */
  ClusterProcesses.Jvm taskManager(String name) {
    return taskManagers.get(name);
  }

  /** Waits until exactly these TaskManagers are registered (the dead ones gone). */
  void awaitTaskManagers(List<String> names, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<String> seen = List.of();
    while (System.nanoTime() < deadline) {
      List<String> ids = new ArrayList<>();
      for (JsonNode tm : get("/taskmanagers").path("taskmanagers")) {
        ids.add(tm.path("id").asText());
      }
      seen = ids;
      if (ids.size() == names.size() && ids.containsAll(names)) {
        return;
      }
      Thread.sleep(500);
    }
    throw new IllegalStateException("TaskManagers " + names + " not registered after " + timeout
        + "; registered: " + seen);
  }

  /**
   * Submits {@code jar} with {@code flink run} (attached: the client runs until the job ends, as a
   * user's terminal would), main class the diffad command line, {@code args} after the jar.
   */
  ClusterProcesses.Jvm run(String name, Path jar, List<String> args) throws IOException {
    return procs.start(name, classpath, concat(OPENS, List.of("-Xmx512m", "-Dlog.file=" + logFile(name),
            "-Dlog4j.configurationFile=" + conf.resolve("log4j.properties").toUri())),
        "org.apache.flink.client.cli.CliFrontend",
        concat(List.of("run", "-c", "ai.diffad.cli.DiffadCli", jar.toString()), args),
        Map.of("FLINK_CONF_DIR", conf.toString()));
  }

  /** The id of the job named {@code prefix...} that is not finished, waiting for it to appear. */
  String awaitJob(String prefix, ClusterProcesses.Jvm client, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!client.process().isAlive()) {
        throw new IllegalStateException(client.name() + " exited " + client.process().exitValue()
            + " before its job ran:\n" + ClusterProcesses.tail(client, 40));
      }
      for (JsonNode j : get("/jobs/overview").path("jobs")) {
        String state = j.path("state").asText();
        if (j.path("name").asText().startsWith(prefix) && !List.of("FINISHED", "CANCELED", "FAILED").contains(state)) {
          return j.path("jid").asText();
        }
      }
      Thread.sleep(500);
    }
    throw new IllegalStateException("no running job named " + prefix + "* after " + timeout);
  }

  /**
   * The job's state, whether it has tasks and every one is RUNNING, the highest attempt number of
   * any subtask (0 until the job restarted) and the TaskManagers its current attempts run on.
   */
  record JobStatus(String state, boolean allRunning, int attempt, java.util.Set<String> taskManagers) {}

  JobStatus status(String jid) throws IOException {
    JsonNode j = get("/jobs/" + jid);
    boolean all = j.path("vertices").size() > 0;
    int attempt = 0;
    java.util.Set<String> tms = new java.util.TreeSet<>();
    for (JsonNode v : j.path("vertices")) {
      for (JsonNode t : get("/jobs/" + jid + "/vertices/" + v.path("id").asText()).path("subtasks")) {
        all &= "RUNNING".equals(t.path("status").asText());
        attempt = Math.max(attempt, t.path("attempt").asInt());
        if (t.hasNonNull("taskmanager-id")) {
          tms.add(t.path("taskmanager-id").asText());
        }
      }
    }
    return new JobStatus(j.path("state").asText(), all, attempt, tms);
  }

  /** Waits until the job is in {@code state}, or any terminal state; returns the state. */
  String awaitState(String jid, Duration timeout, String... states) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    String s = "?";
    while (System.nanoTime() < deadline) {
      s = get("/jobs/" + jid).path("state").asText();
      if (List.of(states).contains(s) || List.of("FINISHED", "CANCELED", "FAILED").contains(s)) {
        return s;
      }
      Thread.sleep(300);
    }
    return s;
  }

  void cancel(String jid) throws Exception {
    HttpRequest r = HttpRequest.newBuilder(URI.create(restAddress() + "/jobs/" + jid + "?mode=cancel"))
        .timeout(Duration.ofSeconds(10)).method("PATCH", HttpRequest.BodyPublishers.noBody()).build();
    http.send(r, HttpResponse.BodyHandlers.discarding());
  }

  JsonNode get(String path) throws IOException {
    HttpRequest r = HttpRequest.newBuilder(URI.create(restAddress() + path))
        .timeout(Duration.ofSeconds(10)).GET().build();
    try {
      HttpResponse<String> resp = http.send(r, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      if (resp.statusCode() != 200) {
        throw new IOException("GET " + path + ": HTTP " + resp.statusCode() + " " + resp.body());
      }
      return JSON.readTree(resp.body());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  private String logFile(String name) {
    return conf.getParent().resolve("logs").resolve(name + ".log").toString();
  }

  private List<String> jvmArgs(List<String> memory, String name) {
    List<String> a = new ArrayList<>(OPENS);
    a.addAll(memory);
    a.add("-Dlog.file=" + logFile(name));
    a.add("-Dlog4j.configurationFile=" + conf.resolve("log4j.properties").toUri());
    return a;
  }

  /** [JVM arguments, dynamic properties] as BashJavaUtils gives them to Flink's scripts. */
  @SuppressWarnings("unchecked")
  private List<String>[] resourceParams(String command) throws Exception {
    ClusterProcesses.Jvm j = procs.start("bash-java-utils", classpath, List.of("-Xmx128m"),
        "org.apache.flink.runtime.util.bash.BashJavaUtils",
        List.of(command, "--configDir", conf.toString()), Map.of());
    if (!j.process().waitFor(120, TimeUnit.SECONDS) || j.process().exitValue() != 0) {
      throw new IllegalStateException("BashJavaUtils " + command + " failed:\n" + ClusterProcesses.tail(j, 20));
    }
    List<String> results = new ArrayList<>();
    for (String line : Files.readAllLines(j.log(), StandardCharsets.UTF_8)) {
      if (line.startsWith("BASH_JAVA_UTILS_EXEC_RESULT:")) {
        results.add(line.substring("BASH_JAVA_UTILS_EXEC_RESULT:".length()).trim());
      }
    }
    // the log is appended to by every call: the last two results are this call's
    List<String> jvm = List.of(results.get(results.size() - 2).split("\\s+"));
    List<String> dynamic = List.of(results.get(results.size() - 1).split("\\s+"));
    return new List[] {jvm, dynamic};
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> l = new ArrayList<>(a);
    l.addAll(b);
    return l;
  }
}
