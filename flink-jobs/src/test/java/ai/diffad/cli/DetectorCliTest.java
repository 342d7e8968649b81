package ai.diffad.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.diffad.denoise.record.JsonLines;
import ai.diffad.flink.TinyModel;
import ai.diffad.model.artifact.ModelArtifact;
import ai.diffad.model.artifact.ModelManifest;
import ai.diffad.model.train.DetectorObjective;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The detector through the command line: a profile with a detector section trains both networks
 * into one model directory, and score uses the engine the profile ships (the segmentation map)
 * without any option, while options still override it.
 */
class DetectorCliTest {
  @TempDir Path dir;

  private static final String PROFILE = """
      name: tiny-detector
      network: {baseChannels: 16, channelMultipliers: [1], groups: 8}
      data: {format: images, channels: 1, size: 16}
      training: {steps: 6, batchSize: 4, learningRate: 1.0e-3, warmupSteps: 2, checkpointEvery: 3,
        seed: 3}
      detector:
        sources: [perlin, shuffle, strokes]
        perlinScales: [0, 3]
        tRange: [0, 300]
        segmentation: {baseChannels: 8, channelMultipliers: [1, 2], groups: 4}
      engine:
        reconstruction: {tStar: 100, steps: 1}
        map: segmentation
        score: {smoothSigma: 0.0, reduction: max}
      """;

  @Test
  void aDetectorProfileTrainsBothNetworksAndScoreUsesTheEngineItShips() throws Exception {
    Path profile = dir.resolve("tiny-detector.yaml");
    Files.writeString(profile, PROFILE);
    for (int i = 0; i < 6; i++) {
      TinyModel.writePng(dir.resolve("data/n" + i + ".png"), 24, 24, 1, 10 + i);
    }
    for (int i = 0; i < 3; i++) {
      TinyModel.writePng(dir.resolve("test/t" + i + ".png"), 24, 24, 1, 50 + i);
    }
    Path model = dir.resolve("model");
    CliTest.Run r = CliTest.run("train", "--config", profile.toString(), "--data",
        dir.resolve("data").toString(), "--out", model.toString(), "--no-progress");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.err()).contains("detector with anomaly sources [perlin, shuffle, strokes]");
    assertThat(r.out()).contains("trained steps 1..6", "synthesis:", "ms per batch");
    ModelManifest m = ModelArtifact.readManifest(model);
    assertThat(m.networks()).containsOnlyKeys(ModelManifest.DENOISER, ModelManifest.SEGMENTER);
    assertThat(m.files()).containsOnlyKeys(ModelArtifact.WEIGHTS, DetectorObjective.SEGMENTER_FILE);

    Map<String, Double> byDefault = score(model, "default");
    Map<String, Double> explicit = score(model, "explicit", "--map", "segmentation", "--t-star",
        "100", "--steps", "1", "--smooth", "0", "--reduce", "max");
    Map<String, Double> l1 = score(model, "l1", "--map", "l1");
    assertThat(byDefault).hasSize(3).isEqualTo(explicit);
    // a sigmoid: every segmentation score is a probability, unlike the L1 scores
    assertThat(byDefault.values()).allSatisfy(v -> assertThat(v).isBetween(0.0, 1.0));
    assertThat(l1).isNotEqualTo(byDefault);

    // the texture source needs its folder: the error names the field
    r = CliTest.run("train", "--config", profile.toString(), "--data",
        dir.resolve("data").toString(), "--out", dir.resolve("m2").toString(), "--sources",
        "perlin,texture", "--no-progress");
    assertThat(r.code()).as(r.err()).isEqualTo(DiffadCli.EXIT_USAGE);
    assertThat(r.err()).contains("detector.textures: is required when sources names texture");
    // with one, the foreign textures are read and the run trains
    r = CliTest.run("train", "--config", profile.toString(), "--data",
        dir.resolve("data").toString(), "--out", dir.resolve("m3").toString(), "--sources",
        "texture", "--textures", dir.resolve("test").toString(), "--steps", "2", "--no-progress");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.err()).contains("3 foreign textures from " + dir.resolve("test"));
    assertThat(ModelArtifact.readManifest(dir.resolve("m3")).config().detector().textures())
        .isEqualTo(dir.resolve("test").toString());
  }

  private Map<String, Double> score(Path model, String name, String... options) throws Exception {
    Path out = dir.resolve("scored-" + name);
    List<String> args = new java.util.ArrayList<>(List.of("score", "--model", model.toString(),
        "--input", dir.resolve("test").toString(), "--out", out.toString()));
    args.addAll(List.of(options));
    CliTest.Run r = CliTest.run(args.toArray(new String[0]));
    assertThat(r.code()).as(r.err()).isZero();
    List<JsonNode> records = JsonLines.readNodes(out.resolve("scores.jsonl"));
    Map<String, Double> scores = new TreeMap<>();
    for (JsonNode n : records) {
      scores.put(Path.of(n.get("id").asText()).getFileName().toString(), n.get("score").asDouble());
    }
    return scores;
  }
}
