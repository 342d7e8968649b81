package ai.diffad.flink.feed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.diffad.denoise.record.RejectReason;
import ai.diffad.denoise.record.RejectedInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The allowed root of records naming a file (the Kafka source's allowedPathRoot, and the folder
 * sources' own folder): every way out is refused with UNREADABLE and a detail saying why, and
 * files inside come back as absolute paths.
 */
class PathRootTest {
  @TempDir Path dir;

  private static FeedRecord rec(String path) {
    return FeedRecord.ofPath("id", "src", path);
  }

  private static String refused(PathRoot root, String path) {
    try {
      root.check(rec(path));
    } catch (RejectedInputException e) {
      assertThat(e.reason()).as(path).isEqualTo(RejectReason.UNREADABLE);
      return e.getMessage();
    }
    throw new AssertionError(path + " was let through");
  }

  @Test
  void everyWayOutOfTheRootIsRefusedAndFilesInsideAreLetThrough() throws Exception {
    Path root = Files.createDirectories(dir.resolve("data"));
    Path outside = Files.createDirectories(dir.resolve("elsewhere"));
    Files.writeString(outside.resolve("secret.png"), "x");
    Files.createDirectories(dir.resolve("data-evil"));
    Files.writeString(dir.resolve("data-evil/x.png"), "x");
    Files.createDirectories(root.resolve("sub"));
    Files.writeString(root.resolve("sub/in.png"), "x");
    Files.createSymbolicLink(root.resolve("inside-link.png"), root.resolve("sub/in.png"));
    Files.createSymbolicLink(root.resolve("out-link.png"), outside.resolve("secret.png"));
    Files.createSymbolicLink(root.resolve("outdir"), outside);
    Files.createSymbolicLink(root.resolve("loop"), root);
    Files.createSymbolicLink(root.resolve("self.png"), root.resolve("self.png"));
    Files.createSymbolicLink(root.resolve("dangling.png"), root.resolve("gone.png"));
    PathRoot r = new PathRoot(root, "source.kafka.allowedPathRoot");

    // inside: relative and absolute, through '..' that stays inside, through a link inside
    assertThat(r.check(rec("sub/in.png")).path()).isEqualTo(root.resolve("sub/in.png").toString());
    assertThat(r.check(rec(root + "/sub/../sub/in.png")).path()).isEqualTo(root.resolve("sub/in.png").toString());
    assertThat(r.check(rec("inside-link.png")).path()).isEqualTo(root.resolve("inside-link.png").toString());
    assertThat(r.check(rec("sub/not-yet.png")).path()).isEqualTo(root.resolve("sub/not-yet.png").toString());
    FeedRecord inline = new FeedRecord("i", null, null, "AAAA", null);
    assertThat(r.check(inline)).isSameAs(inline);

    // '..' relative and absolute, an absolute path elsewhere, a sibling sharing the root's prefix
    assertThat(refused(r, "../elsewhere/secret.png")).contains("is outside the allowed root " + root
        + " (source.kafka.allowedPathRoot)");
    assertThat(refused(r, "sub/../../elsewhere/secret.png")).contains("is outside the allowed root");
    assertThat(refused(r, root + "/../elsewhere/secret.png")).contains("is outside the allowed root");
    assertThat(refused(r, outside.resolve("secret.png").toString())).contains("is outside the allowed root");
    assertThat(refused(r, dir.resolve("data-evil/x.png").toString())).contains("is outside the allowed root");
    assertThat(refused(r, "/etc/passwd")).contains("is outside the allowed root");
    // links out: a file link, a file through a folder link, the folder link itself
    assertThat(refused(r, "out-link.png")).contains("leads through a link to "
        + outside.toRealPath().resolve("secret.png"));
    assertThat(refused(r, "outdir/secret.png")).contains("leads through a link to "
        + outside.toRealPath().resolve("secret.png"));
    assertThat(refused(r, "outdir")).contains("leads through a link to " + outside.toRealPath());
    // a loop back to the root, a link to itself, a dangling link, a folder, a pipe
    assertThat(refused(r, "loop")).contains("is a link to a folder; links to folders are not followed");
    assertThat(refused(r, "self.png")).contains("is a link that leads nowhere");
    assertThat(refused(r, "dangling.png")).contains("is a link that leads nowhere");
    assertThat(refused(r, "sub")).contains("is a folder, not a file");
    Path fifo = root.resolve("pipe.png");
    Process mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
    try {
      assertThat(mk.waitFor(10, TimeUnit.SECONDS)).isTrue();
    } finally {
      mk.destroyForcibly();
    }
    assertThat(refused(r, "pipe.png")).contains("is not a regular file");
    assertThatThrownBy(() -> r.check(rec("bad\0name.png"))).isInstanceOf(RejectedInputException.class)
        .hasMessageContaining("not a valid path");
  }

  @Test
  void aRootThatIsItselfALinkStillConfinesToItsTarget() throws Exception {
    Path real = Files.createDirectories(dir.resolve("real"));
    Files.writeString(real.resolve("a.png"), "x");
    Files.writeString(dir.resolve("b.png"), "x");
    Files.createSymbolicLink(real.resolve("up.png"), dir.resolve("b.png"));
    Path linked = Files.createSymbolicLink(dir.resolve("linked"), real);
    PathRoot r = new PathRoot(linked, "source.directory.path");
    assertThat(r.check(rec("a.png")).path()).isEqualTo(linked.resolve("a.png").toString());
    assertThat(refused(r, "up.png")).contains("leads through a link to " + dir.toRealPath().resolve("b.png"))
        .contains("(source.directory.path)");
  }
}
