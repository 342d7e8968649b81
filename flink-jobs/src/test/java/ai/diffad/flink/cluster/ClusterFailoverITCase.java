package ai.diffad.flink.cluster;

import static ai.diffad.model.util.FileTrees.deleteTree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The short form of {@code bench/cluster-failover.sh}: a Kafka broker, a JobManager and two
 * TaskManagers as separate JVMs; the stream job (300 records) and the batch job (120 files) each
 * lose a TaskManager to SIGKILL midway; every input is answered exactly once, the batch outputs are
 * byte-identical to an uninterrupted run's. The cluster's classpath is this test's minus diffad's
 * own classes (Flink, DJL, JavaCPP: the distribution's lib/); diffad's classes are the job jar,
 * loaded child-first as a cluster jar's are.
 */
class ClusterFailoverITCase {
  @Test
  void theJobsSurviveATaskManagerKilledWithSigkill() throws Exception {
    // the processes' logs stay for a look after a failure: target/cluster-failover-it/work/logs
    Path tmp = Path.of("target", "cluster-failover-it").toAbsolutePath();
    deleteTree(tmp);
    Files.createDirectories(tmp);
    Path root = Path.of(System.getProperty("user.dir")).toAbsolutePath().getParent();
    List<String> own = new ArrayList<>();
    List<String> rest = new ArrayList<>();
    for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
      Path p = Path.of(e).toAbsolutePath();
      boolean diffad = p.startsWith(root) || p.toString().contains("/ai/diffad/diffad-");
      if (p.toString().endsWith("test-classes")) {
        continue;
      }
      (diffad ? own : rest).add(p.toString());
    }
    assertTrue(own.size() >= 5, "diffad's five modules on the classpath: " + own);
    Path jar = jobJar(own, tmp.resolve("diffad-job.jar"));
    String cluster = String.join(java.io.File.pathSeparator, rest);

    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream log = new PrintStream(new TeeStream(buf, System.out), true, StandardCharsets.UTF_8);
    List<ClusterFailover.Result> rs = new ClusterFailover(new ClusterFailover.Settings(tmp.resolve("work"), jar,
        cluster, System.getProperty("java.class.path"), null, 300, 30, 120), log).run();
    String all = buf.toString(StandardCharsets.UTF_8);
    assertEquals(2, rs.size(), all);
    for (ClusterFailover.Result r : rs) {
      assertTrue(r.ok(), r.line() + "\n" + all);
      assertTrue(r.recoverySeconds() > 0 && r.recoverySeconds() < 300, r.line());
    }
    assertEquals(300, rs.get(0).inputs());
    assertEquals(120, rs.get(1).inputs());
    assertTrue(all.contains("SIGKILL tm-"), all);
    assertTrue(all.contains("its tasks on [tm-1, tm-2]"),
        "both TaskManagers hold tasks before the kill:\n" + all);
    // every JVM the run started is gone
    for (String line : Files.readAllLines(tmp.resolve("work/pids"))) {
      long pid = Long.parseLong(line.split(" ")[0]);
      assertTrue(ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true), "still alive: " + line);
    }
  }

  /** diffad's classes (folders or jars) in one jar whose main class is the command line. */
  static Path jobJar(List<String> entries, Path jar) throws IOException {
    Manifest mf = new Manifest();
    mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    mf.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "ai.diffad.cli.DiffadCli");
    Set<String> written = new HashSet<>();
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), mf)) {
      written.add("META-INF/MANIFEST.MF");
      for (String e : entries) {
        Path p = Path.of(e);
        if (Files.isDirectory(p)) {
          try (Stream<Path> w = Files.walk(p)) {
            for (Path f : w.filter(Files::isRegularFile).toList()) {
              String name = p.relativize(f).toString().replace('\\', '/');
              if (written.add(name)) {
                out.putNextEntry(new JarEntry(name));
                Files.copy(f, out);
                out.closeEntry();
              }
            }
          }
        } else if (Files.isRegularFile(p)) {
          try (JarFile j = new JarFile(p.toFile())) {
            Enumeration<JarEntry> es = j.entries();
            while (es.hasMoreElements()) {
              JarEntry je = es.nextElement();
              if (!je.isDirectory() && written.add(je.getName())) {
                out.putNextEntry(new JarEntry(je.getName()));
                try (InputStream in = j.getInputStream(je)) {
                  in.transferTo(out);
                }
                out.closeEntry();
              }
            }
          }
        }
      }
    }
    return jar;
  }

  /** Writes to both streams. */
  private static final class TeeStream extends OutputStream {
    private final OutputStream a;
    private final OutputStream b;

    TeeStream(OutputStream a, OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public void write(int x) throws IOException {
      a.write(x);
      b.write(x);
    }

    @Override
    public void write(byte[] x, int off, int len) throws IOException {
      a.write(x, off, len);
      b.write(x, off, len);
    }
  }
}
