package ai.diffad.cli;

import ai.diffad.config.ConfigException;
import ai.diffad.dashboard.Dashboard;
import ai.diffad.dashboard.DashboardSettings;
import ai.diffad.dashboard.Feed;
import ai.diffad.dashboard.FolderFeed;
import ai.diffad.dashboard.TopicsFeed;
import java.io.PrintWriter;
import java.net.BindException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Serves the live dashboard of a results folder or of the result topics until it is stopped
 * (Ctrl-C).
 */
@Command(name = "dashboard", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"A live web page of the anomaly results: per source the input rate, the flagged",
        "share and the scores against the threshold; alerts; the latest flagged inputs",
        "with their heatmaps; rejected inputs; totals. Reads a results folder (of stream,",
        "score or batch) or the result topics, and serves on 127.0.0.1 until stopped."})
final class DashboardCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--results", paramLabel = "DIR",
      description = "A results folder: scores.jsonl, rejected.jsonl, alerts.jsonl (followed as they"
          + " grow) and the images under it.")
  Path results;

  @Option(names = "--kafka", paramLabel = "HOST:PORT",
      description = "Read the result topics of this Kafka cluster instead (isolation.level"
          + " read_committed, from the latest offsets).")
  String kafka;

  @Option(names = "--topics-prefix", paramLabel = "PREFIX", defaultValue = "diffad",
      description = "With --kafka: the topics PREFIX.scores, PREFIX.rejected, PREFIX.alerts"
          + " (default: ${DEFAULT-VALUE}).")
  String prefix;

  @Option(names = "--from-beginning",
      description = "With --kafka: also show what the topics hold already.")
  boolean fromBeginning;

  @Option(names = "--images", paramLabel = "DIR",
      description = "With --kafka: the job's outputs.dir, to show the heatmaps from (default: none).")
  Path images;

  @Option(names = "--port", paramLabel = "PORT",
      description = "Port to serve on (default: the first free one from 8090).")
  Integer port;

  @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = DashboardSettings.LOOPBACK,
      description = "Address to listen on (default: ${DEFAULT-VALUE}, this machine only).")
  String bind;

  @Option(names = "--token", paramLabel = "TOKEN",
      description = "Require this token on every request (the printed address carries it).")
  String token;

  @Option(names = "--window", paramLabel = "N", defaultValue = "" + DashboardSettings.DEFAULT_WINDOW,
      description = "Recent scores kept per source (default: ${DEFAULT-VALUE}).")
  int window;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    if ((results == null) == (kafka == null)) {
      throw new ConfigException("--results", "give either --results DIR or --kafka HOST:PORT");
    }
    if (kafka == null && (images != null || fromBeginning)) {
      throw new ConfigException(images != null ? "--images" : "--from-beginning", "applies to --kafka only");
    }
    if (results != null && !Files.isDirectory(results)) {
      throw new ConfigException("--results", "is not a folder: " + results);
    }
    if (images != null && !Files.isDirectory(images)) {
      throw new ConfigException("--images", "is not a folder: " + images);
    }
    if (kafka != null && !kafka.matches("[^\\s,:]+:\\d{1,5}(,[^\\s,:]+:\\d{1,5})*")) {
      throw new ConfigException("--kafka", "must be HOST:PORT[,HOST:PORT...], got '" + kafka + "'");
    }
    if (prefix.isBlank()) {
      throw new ConfigException("--topics-prefix", "must not be empty");
    }
    if (port != null && (port < 1 || port > 65535)) {
      throw new ConfigException("--port", "must be in [1, 65535], got " + port);
    }
    try {
      InetAddress.getByName(bind);
    } catch (UnknownHostException e) {
      throw new ConfigException("--bind", "unknown address '" + bind + "'");
    }
    DashboardSettings s = DashboardSettings.defaults().withBind(bind).withPort(port == null ? 0 : port)
        .withToken(token).withWindow(window);
    Feed feed = results != null ? new FolderFeed(results, Dashboard.FOLDER_INTERVAL)
        : TopicsFeed.withPrefix(kafka, prefix, fromBeginning);
    Dashboard d;
    try {
      d = Dashboard.start(s, feed, results != null ? results : images);
    } catch (BindException e) {
      throw new ConfigException("--port", e.getMessage());
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      d.close();
      stopped.countDown();
    }, "dashboard-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    out.println("diffad dashboard: " + d.url() + "  (" + feed.describe() + "; Ctrl-C stops it)");
    out.flush();
    try {
      stopped.await();
    } catch (InterruptedException e) {
      // stopped by the caller (tests run the command on a thread)
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // the JVM is shutting down: the hook closes it
      }
      d.close();
    }
    return DiffadCli.EXIT_OK;
  }
}
