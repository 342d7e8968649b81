package ai.diffad.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.diffad.denoise.engine.FeatureBank;
import ai.diffad.denoise.record.JsonLines;
import ai.diffad.flink.TinyModel;
import ai.diffad.model.artifact.BlockWeights;
import ai.diffad.model.artifact.ModelArtifact;
import ai.diffad.model.artifact.ModelManifest;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The k-NN map end to end through the command line: its bank is fitted by {@code calibrate
 * --fit-data}, saved in the model directory with its SHA-256, and served by {@code score}; without
 * it, or with other encoder settings, a configuration error names the option; a tampered bank is
 * refused naming the file.
 */
class KnnServingTest {
  @TempDir Path dir;

  @Test
  void calibrateFitsAndSavesTheBankAndScoreServesIt() throws Exception {
    Path model = TinyModel.train(dir.resolve("model"));
    int size = TinyModel.SIZE;
    for (int i = 0; i < 4; i++) {
      TinyModel.writePng(dir.resolve("fit/f" + i + ".png"), size, size, 1, 100 + i);
      TinyModel.writePng(dir.resolve("calib/c" + i + ".png"), size, size, 1, 200 + i);
    }
    Files.createDirectories(dir.resolve("test"));
    Files.copy(dir.resolve("fit/f0.png"), dir.resolve("test/seen.png"));
    TinyModel.writePng(dir.resolve("test/unseen.png"), size, size, 1, 300);
    String[] knn = {"--map", "knn", "--feature-levels", "0,1", "--t-star", "10", "--steps", "2",
        "--smooth", "0"};

    CliTest.Run r = CliTest.run(cat(new String[] {"score", "--model", model.toString(), "--input",
        dir.resolve("test").toString(), "--out", dir.resolve("early").toString()}, knn));
    assertThat(r.code()).as(r.err()).isEqualTo(DiffadCli.EXIT_USAGE);
    assertThat(r.err()).contains("map: knn needs a bank of normal features", "--fit-data");

    r = CliTest.run(cat(new String[] {"calibrate", "--model", model.toString(), "--data",
        dir.resolve("calib").toString()}, knn));
    assertThat(r.code()).as(r.err()).isEqualTo(DiffadCli.EXIT_USAGE);
    assertThat(r.err()).contains("--fit-data");

    r = CliTest.run(cat(new String[] {"calibrate", "--model", model.toString(), "--data",
        dir.resolve("calib").toString(), "--fit-data", dir.resolve("fit").toString(),
        "--fit-size", "5000"}, knn));
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("knn map fitted on 4 normal images");
    ModelManifest m = ModelArtifact.readManifest(model);
    assertThat(m.files()).containsKeys(ModelArtifact.WEIGHTS, FeatureBank.FILE);
    assertThat(m.files().get(FeatureBank.FILE))
        .isEqualTo(BlockWeights.sha256(model.resolve(FeatureBank.FILE)));

    Path out = dir.resolve("scored");
    r = CliTest.run(cat(new String[] {"score", "--model", model.toString(), "--input",
        dir.resolve("test").toString(), "--out", out.toString()}, knn));
    assertThat(r.code()).as(r.err()).isZero();
    List<JsonNode> records = JsonLines.readNodes(out.resolve("scores.jsonl"));
    assertThat(records).hasSize(2);
    Map<String, Double> score = new HashMap<>();
    for (JsonNode n : records) {
      score.put(Path.of(n.get("id").asText()).getFileName().toString(), n.get("score").asDouble());
      assertThat(n.hasNonNull("threshold")).as("calibrated with these settings: " + n).isTrue();
      assertThat(n.get("model").get("sha256").asText()).isEqualTo(m.fingerprint())
          .isNotEqualTo(m.files().get(ModelArtifact.WEIGHTS));
    }
    // every position of the seen image is in the bank: its nearest neighbours are itself (up to
    // the float32 rounding of |q|^2 + |b|^2 - 2 q.b, about 1/256 after the square root)
    System.out.printf("knn scores: seen %.5f, unseen %.5f%n", score.get("seen.png"),
        score.get("unseen.png"));
    assertThat(score.get("seen.png")).isLessThan(0.01);
    assertThat(score.get("unseen.png")).isGreaterThan(10 * score.get("seen.png"));

    // other encoder settings than the bank's: a configuration error naming map
    r = CliTest.run(cat(new String[] {"score", "--model", model.toString(), "--input",
        dir.resolve("test").toString(), "--out", dir.resolve("other").toString(),
        "--feature-t", "7"}, knn));
    assertThat(r.code()).as(r.err()).isEqualTo(DiffadCli.EXIT_USAGE);
    assertThat(r.err()).contains("map:", "featureT=50", "featureT=7");

    // a tampered bank is refused, naming the file
    byte[] bank = Files.readAllBytes(model.resolve(FeatureBank.FILE));
    bank[bank.length - 1] ^= 0x40;
    Files.write(model.resolve(FeatureBank.FILE), bank);
    r = CliTest.run(cat(new String[] {"score", "--model", model.toString(), "--input",
        dir.resolve("test").toString(), "--out", dir.resolve("tampered").toString()}, knn));
    assertThat(r.code()).as(r.err()).isEqualTo(DiffadCli.EXIT_FAILURE);
    assertThat(r.err()).contains(FeatureBank.FILE, "SHA-256 mismatch");
  }

  private static String[] cat(String[] a, String[] b) {
    String[] out = new String[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
