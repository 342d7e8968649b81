package ai.diffad.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultsFilesTest {
  @TempDir Path tmp;

  @Test
  void onlyPlainRelativeImagePathsBelowTheFolderResolve() throws Exception {
    Path root = tmp.resolve("results");
    Files.createDirectories(root.resolve("overlays/cam1"));
    Files.write(root.resolve("overlays/cam1/a.png"), new byte[] {1});
    Files.write(root.resolve("overlays/cam1/b c+d.png"), new byte[] {2});
    Files.write(root.resolve("scores.jsonl"), new byte[] {3});
    Files.write(tmp.resolve("secret.png"), new byte[] {4});
    Files.createSymbolicLink(root.resolve("overlays/cam1/link.png"), tmp.resolve("secret.png"));
    Files.createSymbolicLink(root.resolve("outside"), tmp);
    Files.createSymbolicLink(root.resolve("overlays/cam1/inside.png"), root.resolve("overlays/cam1/a.png"));
    ResultsFiles f = new ResultsFiles(root);

    assertThat(f.resolve("overlays/cam1/a.png")).contains(root.resolve("overlays/cam1/a.png").toRealPath());
    assertThat(f.resolve("overlays/cam1/b%20c+d.png")).as("encoded space, literal plus")
        .contains(root.resolve("overlays/cam1/b c+d.png").toRealPath());
    assertThat(f.resolve("overlays/cam1/inside.png")).as("a link within the folder")
        .contains(root.resolve("overlays/cam1/a.png").toRealPath());
    for (String bad : new String[] {
        "../secret.png", "overlays/../../secret.png", "overlays/cam1/../../../secret.png",
        "%2e%2e/secret.png", "%2E%2E%2Fsecret.png", "..%2fsecret.png", "overlays%2f..%2f..%2fsecret.png",
        "%252e%252e/secret.png", "..%252fsecret.png", "/etc/passwd", "%2Fetc%2Fpasswd",
        tmp.resolve("secret.png").toString(), "overlays\\..\\..\\secret.png", "..\\secret.png",
        "overlays/cam1/link.png", "outside/secret.png", "overlays//cam1/a.png", "./overlays/cam1/a.png",
        "overlays/cam1/a.png%00.png", "scores.jsonl", "overlays/cam1", "overlays/cam1/missing.png",
        "C:/Windows/win.ini.png", "overlays/cam1/%ZZ.png", ""}) {
      assertThat(f.resolve(bad)).as(bad).isEmpty();
    }
  }

  @Test
  void aRecordsImagePathBecomesAPathBelowTheFolder() throws Exception {
    Path root = tmp.resolve("out").toAbsolutePath();
    Files.createDirectories(root);
    ResultsFiles f = new ResultsFiles(root);
    assertThat(f.relativeOf(root.resolve("overlays/cam1/a.png").toString())).isEqualTo("overlays/cam1/a.png");
    // written by a job that ran in another folder
    assertThat(f.relativeOf("/srv/other/out/maps/cam2/b.png")).isEqualTo("maps/cam2/b.png");
    assertThat(f.relativeOf("runs/x/overlays/c.png")).isEqualTo("overlays/c.png");
    assertThat(f.relativeOf("/srv/elsewhere/c.png")).isNull();
    assertThat(f.relativeOf("/srv/overlays/../../etc/x.png")).isNull();
    assertThat(f.relativeOf(null)).isNull();
    assertThat(new ResultsFiles(null).relativeOf(root.resolve("overlays/a.png").toString())).isNull();
    assertThat(new ResultsFiles(null).resolve("overlays/a.png")).isEmpty();
  }
}
