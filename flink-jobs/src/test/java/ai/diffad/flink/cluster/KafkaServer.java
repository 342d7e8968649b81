package ai.diffad.flink.cluster;

import ai.diffad.flink.kafka.KafkaBroker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * A Kafka broker in its own JVM, from the Maven jars (STACK.md: {@code kafka.tools.StorageTool
 * format --standalone}, then {@code kafka.Kafka server.properties}): one combined KRaft node on
 * 127.0.0.1, replication factor 1 for the offsets and transaction-state topics.
 */
final class KafkaServer {
  private final String bootstrap;

  private KafkaServer(String bootstrap) {
    this.bootstrap = bootstrap;
  }

  /** Formats the node's storage, starts it and returns once it serves an admin client. */
  static KafkaServer start(ClusterProcesses procs, Path dir, String classpath) throws Exception {
    int port = ClusterProcesses.freePort();
    int controller = ClusterProcesses.freePort();
    Files.createDirectories(dir);
    Path props = dir.resolve("server.properties");
    Files.writeString(props, String.join("\n",
        "process.roles=broker,controller",
        "node.id=1",
        "controller.quorum.bootstrap.servers=127.0.0.1:" + controller,
        "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controller,
        "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
        "controller.listener.names=CONTROLLER",
        "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
        "inter.broker.listener.name=PLAINTEXT",
        "log.dirs=" + dir.resolve("data").toAbsolutePath(),
        "num.partitions=2",
        "offsets.topic.replication.factor=1",
        "offsets.topic.num.partitions=2",
        "transaction.state.log.replication.factor=1",
        "transaction.state.log.min.isr=1",
        "transaction.state.log.num.partitions=2",
        "group.initial.rebalance.delay.ms=0",
        "auto.create.topics.enable=false",
        "") + "\n");
    List<String> jvm = List.of("-Xmx512m", "-Dlog4j2.configurationFile=" + log4j(dir).toUri());
    ClusterProcesses.Jvm format = procs.start("kafka-format", classpath, jvm, "kafka.tools.StorageTool",
        List.of("format", "-t", Uuid.randomUuid().toString(), "-c", props.toString(), "--standalone"),
        Map.of());
    if (!format.process().waitFor(120, TimeUnit.SECONDS) || format.process().exitValue() != 0) {
      throw new IllegalStateException("kafka storage format failed:\n" + ClusterProcesses.tail(format, 30));
    }
    ClusterProcesses.Jvm broker = procs.start("kafka", classpath, jvm, "kafka.Kafka",
        List.of(props.toString()), Map.of());
    KafkaServer k = new KafkaServer("127.0.0.1:" + port);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (true) {
      if (!broker.process().isAlive()) {
        throw new IllegalStateException("kafka broker exited:\n" + ClusterProcesses.tail(broker, 40));
      }
      try (Admin a = k.admin()) {
        a.describeCluster().nodes().get(5, TimeUnit.SECONDS);
        return k;
      } catch (Exception e) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("kafka broker not ready after 120 s:\n"
              + ClusterProcesses.tail(broker, 40), e);
        }
        Thread.sleep(500);
      }
    }
  }

  private static Path log4j(Path dir) throws IOException {
    Path f = dir.resolve("log4j2.properties");
    Files.writeString(f, String.join("\n",
        "rootLogger.level = WARN",
        "rootLogger.appenderRef.out.ref = out",
        "appender.out.type = Console",
        "appender.out.name = out",
        "appender.out.layout.type = PatternLayout",
        "appender.out.layout.pattern = %d{HH:mm:ss,SSS} %-5p %c{1} - %m%n",
        "logger.kafka.name = kafka",
        "logger.kafka.level = INFO",
        ""));
    return f;
  }

  String bootstrapServers() {
    return bootstrap;
  }

  Admin admin() {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000));
  }

  /** Creates {@code topics} with {@code partitions} partitions each. */
  void createTopics(int partitions, String... topics) throws Exception {
    try (Admin a = admin()) {
      KafkaBroker.createTopics(a, Duration.ofSeconds(60), partitions, topics);
    }
  }
}
