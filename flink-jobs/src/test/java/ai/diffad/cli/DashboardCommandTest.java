package ai.diffad.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DashboardCommandTest {
  @TempDir Path dir;

  @Test
  void badOptionsAreUsageErrorsNamingTheOption() throws Exception {
    Path file = Files.writeString(dir.resolve("f.txt"), "x");
    String[][] cases = {
        {"--results: give either --results DIR or --kafka HOST:PORT"},
        {"--results: give either --results DIR or --kafka HOST:PORT", "--results", dir.toString(), "--kafka", "k:9092"},
        {"--results: is not a folder: " + file, "--results", file.toString()},
        {"--kafka: must be HOST:PORT[,HOST:PORT...], got 'localhost'", "--kafka", "localhost"},
        {"--images: applies to --kafka only", "--results", dir.toString(), "--images", dir.toString()},
        {"--from-beginning: applies to --kafka only", "--results", dir.toString(), "--from-beginning"},
        {"--port: must be in [1, 65535], got 0", "--results", dir.toString(), "--port", "0"},
        {"--window: must be in [10, 1000000], got 5", "--results", dir.toString(), "--window", "5"},
        {"--token: must not be empty", "--results", dir.toString(), "--token", " "},
        {"--bind: unknown address 'no such host!'", "--results", dir.toString(), "--bind", "no such host!"},
        {"--topics-prefix: must not be empty", "--kafka", "k:9092", "--topics-prefix", ""},
    };
    for (String[] c : cases) {
      String[] args = new String[c.length];
      args[0] = "dashboard";
      System.arraycopy(c, 1, args, 1, c.length - 1);
      CliTest.Run r = CliTest.run(args);
      assertThat(r.code()).as(String.join(" ", args)).isEqualTo(2);
      assertThat(r.err()).as(String.join(" ", args)).contains("diffad dashboard: configuration error: " + c[0]);
    }
    assertThat(CliTest.run("dashboard", "--help").out()).contains("Usage: diffad dashboard", "--results", "--kafka",
        "--topics-prefix", "--from-beginning", "--port", "--bind", "--token", "--window");
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void itServesTheResultsFolderUntilStoppedAndThenFreesThePort() throws Exception {
    Files.writeString(dir.resolve("scores.jsonl"),
        "{\"id\":\"cam1/a.png\",\"source\":\"cam1\",\"ts\":\"2027-01-15T08:00:00Z\",\"score\":0.3}\n{oops\n");
    StringWriter out = new StringWriter();
    CommandLine cl = DiffadCli.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(new StringWriter(), true));
    AtomicInteger code = new AtomicInteger(-1);
    Thread t = new Thread(() -> code.set(cl.execute("dashboard", "--results", dir.toString(), "--token", "abc")));
    t.start();
    int port;
    try {
      Pattern url = Pattern.compile("diffad dashboard: (http://127\\.0\\.0\\.1:(\\d+)/\\?token=abc)  \\(folder (\\S+);");
      Matcher m = null;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while ((m == null || !m.find()) && System.nanoTime() < deadline) {
        Thread.sleep(50);
        m = url.matcher(out.toString());
      }
      assertThat(m.find(0)).as(out.toString()).isTrue();
      assertThat(Path.of(m.group(3))).isEqualTo(dir.toAbsolutePath().normalize());
      port = Integer.parseInt(m.group(2));
      HttpClient http = HttpClient.newHttpClient();
      HttpRequest snap = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/snapshot?token=abc")).build();
      String body = "";
      deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (!body.contains("\"read\":2") && System.nanoTime() < deadline) {
        body = http.send(snap, HttpResponse.BodyHandlers.ofString()).body();
        Thread.sleep(50);
      }
      assertThat(body).contains("\"scored\":1", "\"unreadable\":1", "\"read\":2");
      HttpRequest page = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build();
      assertThat(http.send(page, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
    } finally {
      t.interrupt();
      t.join(20_000);
    }
    assertThat(t.isAlive()).isFalse();
    assertThat(code.get()).isZero();
    int p = port;
    assertThatThrownBy(() -> {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", p), 1000);
      }
    }).isInstanceOf(IOException.class);
  }
}
