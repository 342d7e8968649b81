package ai.diffad.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.diffad.flink.TinyModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class BatchCommandITCase {
  @TempDir Path dir;

  @Test
  void usageErrorsExitWith2AndNameTheOption() throws Exception {
    Path in = Files.createDirectories(dir.resolve("in"));
    CliTest.Run r = CliTest.run("batch", "--model", dir.resolve("none").toString(), "--input",
        in.toString(), "--out", dir.resolve("out").toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("diffad batch: --model: no model at " + dir.resolve("none"));

    r = CliTest.run("batch", "--model", "m", "--input", in.toString(), "--out", "o", "--sigma", "-3");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--sigma: must be auto or a number >= 0, got '-3'");

    r = CliTest.run("batch", "--model", "m", "--input", in.toString(), "--out", "o", "--mode", "fast");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--mode");
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void aLocalRunDenoisesTheFolderAndASecondRunFindsEverythingComplete() throws Exception {
    Path model = TinyModel.train(dir.resolve("model"));
    Path in = dir.resolve("in");
    TinyModel.writePng(in.resolve("cam1/a.png"), 16, 16, 1, 1);
    TinyModel.writePng(in.resolve("cam2/b.png"), 20, 16, 3, 2);
    Files.writeString(in.resolve("cam2/c.png"), "not an image");
    Path out = dir.resolve("out");

    CliTest.Run r = CliTest.run("batch", "--model", model.toString(), "--input", in.toString(),
        "--out", in.resolve("sub").toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--out: the input folder").contains("must not contain one another");

    r = CliTest.run("batch", "--model", model.toString(), "--input", in.toString(), "--out",
        out.toString(), "--sigma", "15", "--max-batch", "2");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("running locally; Flink web UI: http://localhost:")
        .contains("3 images: 2 denoised, 1 rejected, 0 already complete");
    assertThat(out.resolve("denoised/cam1/a.png")).isRegularFile();
    assertThat(out.resolve("denoised/cam2/b.png")).isRegularFile();
    assertThat(Files.readAllLines(out.resolve("scores.jsonl"))).hasSize(2)
        .allMatch(l -> l.contains("\"sigma\":15.0") && l.contains("\"sigmaEstimated\":false"));
    assertThat(Files.readAllLines(out.resolve("rejected.jsonl"))).singleElement().asString()
        .contains("\"id\":\"cam2/c.png\"").contains("DECODE_FAILED");

    r = CliTest.run("batch", "--model", model.toString(), "--input", in.toString(), "--out",
        out.toString(), "--sigma", "15");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("from earlier runs: 2 complete, 1 rejected; 0 to do again")
        .contains("3 images: 0 denoised, 0 rejected, 3 already complete");
    assertThat(Files.readAllLines(out.resolve("scores.jsonl"))).hasSize(2);

    r = CliTest.run("batch", "--model", model.toString(), "--input", in.toString(), "--out",
        out.toString(), "--retry-rejected");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("1 to do again").contains("1 rejected, 2 already complete");
    assertThat(Files.readAllLines(out.resolve("rejected.jsonl"))).hasSize(1);
  }
}
