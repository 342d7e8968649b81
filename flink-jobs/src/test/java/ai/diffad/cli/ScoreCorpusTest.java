package ai.diffad.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.diffad.config.NetworkKind;
import ai.diffad.denoise.io.Images;
import ai.diffad.denoise.record.RejectReason;
import ai.diffad.model.artifact.ModelArtifact;
import ai.diffad.model.artifact.ModelManifest;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.zip.CRC32;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bad-input corpus through one {@code diffad score} run each (DESIGN.md, "One record per
 * input"): every valid input gets one result record, every bad one exactly one rejection with its
 * specific reason, nothing crashes, the run exits 0 and prints the counts. A model is either an
 * image or a sensor model, so images and series take one run each, against tiny models trained
 * here with the real {@code train} command. The sensor training also checks that {@code train}
 * accepts sensor data for the 1-D network and stores the training statistics in model.json.
 */
class ScoreCorpusTest {
  /** Engine settings that keep scoring cheap: few network calls per tile or window. */
  private static final String[] FAST_ENGINE = {"--t-star", "50", "--steps", "2", "--batch", "4"};

  private static final int SENSOR_WINDOW = 32;
  private static final String[] SENSOR_COLUMNS = {"temperature", "pressure"};

  @TempDir static Path shared;
  private static Path sensorModel;
  /** The raw (C, L) values of every training CSV, as float32 like the reader holds them. */
  private static final List<float[][]> sensorTrainingValues = new ArrayList<>();

  @BeforeAll
  static void trainSensorModel() throws IOException {
    Path data = Files.createDirectories(shared.resolve("sensor-train"));
    SplittableRandom rng = new SplittableRandom(21);
    for (String name : List.of("line-1.csv", "line-2.csv")) {
      float[][] v = sineSeries(160, rng, name.equals("line-2.csv") ? 3.0 : 0.0);
      sensorTrainingValues.add(v);
      Files.writeString(data.resolve(name), csv(v, true, -1, null));
    }
    Path profile = Files.writeString(shared.resolve("tiny-sensor.yaml"), """
        name: tiny-sensor
        schedule:
          kind: linear
          timesteps: 1000
        network:
          kind: unet1d
          baseChannels: 8
          channelMultipliers: [1, 2]
          blocksPerLevel: 1
          attentionLevels: []
          groups: 4
        data:
          format: sensor
          channels: 2
          size: %d
          stride: 8
        training:
          steps: 4
          batchSize: 4
          learningRate: 1.0e-3
          warmupSteps: 1
          checkpointEvery: 0
          logEvery: 1
          seed: 5
        """.formatted(SENSOR_WINDOW));
    sensorModel = shared.resolve("models/tiny-sensor");
    CliTest.Run r = CliTest.run("train", "--config", profile.toString(), "--data", data.toString(),
        "--out", sensorModel.toString(), "--no-progress");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("model: ");
  }

  // ------------------------------------------------------------------ TEST 2

  @Test
  void trainAcceptsSensorCsvForTheOneDimensionalNetworkAndStoresItsStatistics() {
    ModelManifest m = ModelArtifact.readManifest(sensorModel);
    assertThat(m.config().network().kind()).isEqualTo(NetworkKind.UNET1D);
    assertThat(m.input().layout()).isEqualTo(ModelManifest.Layout.NCL);
    assertThat(m.input().channels()).isEqualTo(2);
    assertThat(m.input().size()).isEqualTo(SENSOR_WINDOW);
    assertThat(m.config().data().size()).isEqualTo(SENSOR_WINDOW);

    // Population mean and standard deviation per channel over both files, computed here.
    double[] mean = new double[2];
    double[] std = new double[2];
    for (int c = 0; c < 2; c++) {
      double sum = 0;
      long n = 0;
      for (float[][] s : sensorTrainingValues) {
        for (float x : s[c]) {
          sum += x;
          n++;
        }
      }
      mean[c] = sum / n;
      double sq = 0;
      for (float[][] s : sensorTrainingValues) {
        for (float x : s[c]) {
          sq += (x - mean[c]) * (x - mean[c]);
        }
      }
      std[c] = Math.sqrt(sq / n);
    }
    assertThat(m.input().channelMean()).hasSize(2);
    assertThat(m.input().channelStd()).hasSize(2);
    for (int c = 0; c < 2; c++) {
      assertThat(m.input().channelMean()[c]).as("mean of " + SENSOR_COLUMNS[c])
          .isCloseTo(mean[c], within(1e-4 * Math.abs(mean[c])));
      assertThat(m.input().channelStd()[c]).as("std of " + SENSOR_COLUMNS[c])
          .isCloseTo(std[c], within(1e-4 * std[c]));
    }
    // The two channels differ, so a mix-up of channels or of mean and std would show.
    assertThat(Math.abs(mean[0] - mean[1])).isGreaterThan(10);
  }

  // ------------------------------------------------------------------ TEST 1: images

  @Test
  void imageCorpusScoresEveryValidImageAndRejectsEachBadFileOnce(@TempDir Path dir)
      throws IOException {
    Path train = Files.createDirectories(dir.resolve("train"));
    SplittableRandom rng = new SplittableRandom(7);
    for (int i = 0; i < 4; i++) {
      Images.writePng(train.resolve("good-" + i + ".png"), texture(1, 20, 20, rng), 1, 20, 20, 8);
    }
    Path profile = Files.writeString(dir.resolve("tiny-image.yaml"), """
        name: tiny-image
        schedule:
          kind: linear
          timesteps: 1000
        network:
          kind: unet2d
          baseChannels: 8
          channelMultipliers: [1, 2]
          blocksPerLevel: 1
          attentionLevels: []
          groups: 4
        data:
          format: images
          channels: 1
          size: 16
          flips: false
          rotations: false
        training:
          steps: 4
          batchSize: 4
          learningRate: 1.0e-3
          warmupSteps: 1
          checkpointEvery: 0
          logEvery: 1
          seed: 3
        """);
    Path model = dir.resolve("models/tiny-image");
    CliTest.Run trained = CliTest.run("train", "--config", profile.toString(),
        "--data", train.toString(), "--out", model.toString(), "--no-progress");
    assertThat(trained.code()).as(trained.err()).isZero();

    Path in = Files.createDirectories(dir.resolve("in"));
    // Valid: 8- and 16-bit, gray and RGB (the model takes gray; the run converts), two sizes.
    Files.write(in.resolve("gray8.png"), Images.encodePng(texture(1, 16, 16, rng), 1, 16, 16, 8));
    Files.write(in.resolve("gray16.png"), Images.encodePng(texture(1, 20, 24, rng), 1, 20, 24, 16));
    Files.write(in.resolve("rgb8.png"), Images.encodePng(texture(3, 16, 16, rng), 3, 16, 16, 8));
    Files.write(in.resolve("rgb16.png"), Images.encodePng(texture(3, 24, 16, rng), 3, 24, 16, 16));
    // Bad: one of each kind.
    byte[] valid = Images.encodePng(texture(1, 16, 16, rng), 1, 16, 16, 8);
    Files.write(in.resolve("empty.png"), new byte[0]);
    Files.write(in.resolve("truncated.png"), Arrays.copyOf(valid, valid.length / 2));
    Files.writeString(in.resolve("text.png"), "this is a text file, not an image\n");
    Files.write(in.resolve("huge.png"), withPngSize(valid, 100_000, 100_000));
    // A sensor series given to an image model: its bytes are no image, DECODE_FAILED says so.
    Files.writeString(in.resolve("series.csv"), csv(sineSeries(64, rng, 0), true, -1, null));

    Path out = dir.resolve("out");
    List<String> args = new ArrayList<>(List.of("score", "--model", model.toString(),
        "--input", in.toString(), "--out", out.toString()));
    args.addAll(List.of(FAST_ENGINE));
    CliTest.Run r = CliTest.run(args.toArray(String[]::new));

    assertThat(r.code()).as(r.err()).isZero();
    Map<String, JsonNode> scores = byFileName(out.resolve("scores.jsonl"));
    assertThat(scores.keySet())
        .containsExactlyInAnyOrder("gray8.png", "gray16.png", "rgb8.png", "rgb16.png");
    for (JsonNode s : scores.values()) {
      assertThat(s.get("kind").asText()).isEqualTo("image");
      assertThat(s.get("score").isNumber()).as(s.toString()).isTrue();
      assertThat(Double.isFinite(s.get("score").asDouble())).as(s.toString()).isTrue();
      assertThat(s.get("model").get("name").asText()).isEqualTo("tiny-image");
    }
    Map<String, JsonNode> rejected = byFileName(out.resolve("rejected.jsonl"));
    assertRejections(rejected, Map.of(
        "empty.png", RejectReason.EMPTY,
        "truncated.png", RejectReason.DECODE_FAILED,
        "text.png", RejectReason.DECODE_FAILED,
        "huge.png", RejectReason.TOO_LARGE,
        "series.csv", RejectReason.DECODE_FAILED));
    assertThat(rejected.get("huge.png").get("detail").asText()).contains("100000x100000");
    assertThat(rejected.get("truncated.png").get("detail").asText()).contains("truncated");
    assertThat(rejected.get("text.png").get("detail").asText())
        .contains("not a PNG/JPEG/BMP/TIFF file");
    assertThat(rejected.get("series.csv").get("detail").asText())
        .contains("not a PNG/JPEG/BMP/TIFF file");
    assertSummary(r, 9, 4, 5, "{DECODE_FAILED=3, EMPTY=1, TOO_LARGE=1}");
  }

  // ------------------------------------------------------------------ TEST 1: series

  @Test
  void sensorCorpusScoresEveryValidSeriesAndRejectsEachBadFileOnce(@TempDir Path dir)
      throws IOException {
    SplittableRandom rng = new SplittableRandom(8);
    Path in = Files.createDirectories(dir.resolve("in"));
    // Valid: two CSVs (one with a timestamp column, one without), an .npy (L, C) and a JSON array.
    Files.writeString(in.resolve("ok-a.csv"), csv(sineSeries(96, rng, 0), true, -1, null));
    Files.writeString(in.resolve("ok-b.csv"), csv(sineSeries(64, rng, 1), false, -1, null));
    float[][] npy = sineSeries(64, rng, 2);
    Files.write(in.resolve("ok.npy"), npy(new long[] {64, 2}, interleave(npy)));
    Files.writeString(in.resolve("ok.json"), jsonRows(sineSeries(48, rng, 0)));
    // Bad: NaN, Inf, a ragged row, a rank-3 array, and an image given to a sensor model (before
    // the fix it was MALFORMED "the only column is the timestamp column", read as CSV text).
    Files.writeString(in.resolve("nan.csv"), csv(sineSeries(64, rng, 0), true, 10, "NaN"));
    Files.writeString(in.resolve("inf.csv"), csv(sineSeries(64, rng, 0), true, 20, "Inf"));
    Files.writeString(in.resolve("ragged.csv"), csv(sineSeries(64, rng, 0), true, 5, ""));
    Files.write(in.resolve("cube.npy"), npy(new long[] {4, 8, 2}, new float[64]));
    Files.write(in.resolve("photo.png"), Images.encodePng(texture(1, 16, 16, rng), 1, 16, 16, 8));

    Path out = dir.resolve("out");
    List<String> args = new ArrayList<>(List.of("score", "--model", sensorModel.toString(),
        "--input", in.toString(), "--out", out.toString()));
    args.addAll(List.of(FAST_ENGINE));
    CliTest.Run r = CliTest.run(args.toArray(String[]::new));

    assertThat(r.code()).as(r.err()).isZero();
    Map<String, JsonNode> scores = byFileName(out.resolve("scores.jsonl"));
    assertThat(scores.keySet())
        .containsExactlyInAnyOrder("ok-a.csv", "ok-b.csv", "ok.npy", "ok.json");
    for (JsonNode s : scores.values()) {
      assertThat(s.get("kind").asText()).isEqualTo("series");
      assertThat(Double.isFinite(s.get("score").asDouble())).as(s.toString()).isTrue();
      assertThat(s.get("windowScores").isArray()).as(s.toString()).isTrue();
      assertThat(s.get("windowScores").size()).as(s.toString()).isPositive();
      assertThat(s.get("model").get("name").asText()).isEqualTo("tiny-sensor");
    }
    Map<String, JsonNode> rejected = byFileName(out.resolve("rejected.jsonl"));
    assertRejections(rejected, Map.of(
        "nan.csv", RejectReason.NON_FINITE_VALUES,
        "inf.csv", RejectReason.NON_FINITE_VALUES,
        "ragged.csv", RejectReason.MALFORMED,
        "cube.npy", RejectReason.UNSUPPORTED_SHAPE,
        "photo.png", RejectReason.UNSUPPORTED_SHAPE));
    assertThat(rejected.get("nan.csv").get("detail").asText()).contains("NaN");
    assertThat(rejected.get("inf.csv").get("detail").asText()).contains("Inf");
    assertThat(rejected.get("ragged.csv").get("detail").asText()).contains("columns");
    assertThat(rejected.get("cube.npy").get("detail").asText()).contains("rank-3");
    assertThat(rejected.get("photo.png").get("detail").asText()).contains("sensor model");
    assertSummary(r, 9, 4, 5, "{MALFORMED=1, NON_FINITE_VALUES=2, UNSUPPORTED_SHAPE=2}");
  }

  /**
   * An imputer through the command line: {@code train} reads the profile's imputation section
   * (the model's network takes 2C + 1 channels), {@code score} uses the profile's map imputation
   * without being told (one record per valid file, one rejection per bad one), and asking an
   * imputer for a plain reconstruction map is a configuration error naming the map.
   */
  @Test
  void anImputerIsTrainedAndScoredFromItsProfile(@TempDir Path dir) throws IOException {
    Path profile = Files.writeString(dir.resolve("imputer.yaml"), """
        name: tiny-imputer
        network: {kind: unet1d, baseChannels: 8, channelMultipliers: [1, 2], groups: 4}
        data: {format: sensor, channels: 2, size: %d, stride: 8, flips: false, rotations: false}
        imputation: {masks: [last, grating], lastRows: 4, strips: 4}
        training: {steps: 4, batchSize: 4, warmupSteps: 1, checkpointEvery: 0, logEvery: 1,
          seed: 5, tMax: 1000}
        engine:
          reconstruction: {tStar: 600, steps: 2, batchSize: 8}
          map: {kind: imputation, mask: grating, strips: 4}
          score: {smoothSigma: 0.0, reduction: max}
        """.formatted(SENSOR_WINDOW));
    Path model = dir.resolve("m");
    CliTest.Run t = CliTest.run("train", "--config", profile.toString(), "--data",
        shared.resolve("sensor-train").toString(), "--out", model.toString(), "--no-progress");
    assertThat(t.code()).as(t.err()).isZero();
    ModelManifest m = ModelArtifact.readManifest(model);
    assertThat(m.denoiser().inChannels()).isEqualTo(5);
    assertThat(m.denoiser().outChannels()).isEqualTo(2);

    SplittableRandom rng = new SplittableRandom(3);
    Path in = Files.createDirectories(dir.resolve("in"));
    Files.writeString(in.resolve("a.csv"), csv(sineSeries(64, rng, 0), true, -1, null));
    Files.writeString(in.resolve("b.csv"), csv(sineSeries(48, rng, 1), true, -1, null));
    Files.writeString(in.resolve("nan.csv"), csv(sineSeries(64, rng, 0), true, 10, "NaN"));
    Path out = dir.resolve("out");
    CliTest.Run r = CliTest.run("score", "--model", model.toString(), "--input", in.toString(),
        "--out", out.toString());
    assertThat(r.code()).as(r.err()).isZero();
    Map<String, JsonNode> scores = byFileName(out.resolve("scores.jsonl"));
    assertThat(scores.keySet()).containsExactlyInAnyOrder("a.csv", "b.csv");
    for (JsonNode s : scores.values()) {
      assertThat(s.get("kind").asText()).isEqualTo("series");
      assertThat(s.get("tStar").asInt()).isEqualTo(600);
      assertThat(Double.isFinite(s.get("score").asDouble())).as(s.toString()).isTrue();
    }
    assertRejections(byFileName(out.resolve("rejected.jsonl")),
        Map.of("nan.csv", RejectReason.NON_FINITE_VALUES));

    CliTest.Run wrong = CliTest.run("score", "--model", model.toString(), "--input",
        in.toString(), "--out", dir.resolve("out2").toString(), "--map", "l1");
    assertThat(wrong.code()).isEqualTo(2);
    assertThat(wrong.err()).contains("map").contains("is an imputer");
  }

  // ------------------------------------------------------------------ assertions

  /** Exactly one rejection per bad file, with its reason and a non-empty detail. */
  private static void assertRejections(Map<String, JsonNode> rejected,
      Map<String, RejectReason> expected) {
    assertThat(rejected.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
    for (Map.Entry<String, RejectReason> e : expected.entrySet()) {
      JsonNode rec = rejected.get(e.getKey());
      assertThat(rec.get("rejected").asBoolean()).as(rec.toString()).isTrue();
      assertThat(rec.get("reason").asText()).as(rec.toString()).isEqualTo(e.getValue().name());
      assertThat(rec.get("detail").asText()).as(rec.toString()).isNotBlank();
    }
  }

  /** The one summary line on stdout carries the counts. */
  private static void assertSummary(CliTest.Run r, int inputs, int scored, int rejected,
      String byReason) {
    List<String> summary = r.lines().stream().filter(l -> l.startsWith("diffad score: ")).toList();
    assertThat(summary).as(r.out()).hasSize(1);
    assertThat(summary.get(0)).contains(String.format(Locale.ROOT,
        "%d inputs: %d scored, %d rejected %s", inputs, scored, rejected, byReason));
  }

  /**
   * The records of a JSON-lines file keyed by the file name their id ends with; fails if two
   * records name the same file (one record per input).
   */
  private static Map<String, JsonNode> byFileName(Path jsonl) throws IOException {
    Map<String, JsonNode> out = new TreeMap<>();
    for (JsonNode n : ai.diffad.denoise.record.JsonLines.readRecords(jsonl)) {
      String name = Path.of(n.get("id").asText()).getFileName().toString();
      assertThat(n.get("id").asText()).endsWith(name);
      assertThat(out.put(name, n)).as("second record for " + name).isNull();
    }
    return out;
  }

  // ------------------------------------------------------------------ data

  /** A smooth planar (C, H, W) texture in [-1, 1] with a little noise. */
  private static float[] texture(int channels, int h, int w, SplittableRandom rng) {
    float[] out = new float[channels * h * w];
    double fx = 0.3 + rng.nextDouble() * 0.4;
    double fy = 0.2 + rng.nextDouble() * 0.4;
    for (int c = 0; c < channels; c++) {
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          out[(c * h + y) * w + x] = (float) (0.6 * Math.sin(fx * x + fy * y + c)
              + 0.2 * (rng.nextDouble() * 2 - 1));
        }
      }
    }
    return out;
  }

  /**
   * Two channels, (C, L), rounded to 3 decimals so the CSV holds them exactly as float32 parses
   * them: temperature around 20 + offset, pressure around 1013.
   */
  private static float[][] sineSeries(int length, SplittableRandom rng, double offset) {
    float[][] v = new float[2][length];
    double phase = rng.nextDouble() * 6;
    for (int t = 0; t < length; t++) {
      v[0][t] = round3(20 + offset + 2 * Math.sin(0.3 * t + phase) + 0.1 * rng.nextGaussian());
      v[1][t] = round3(1013 + 5 * Math.cos(0.2 * t + phase) + 0.5 * rng.nextGaussian());
    }
    return v;
  }

  private static float round3(double v) {
    return Float.parseFloat(String.format(Locale.ROOT, "%.3f", v));
  }

  /**
   * CSV text with a header row and, if {@code time}, a timestamp column; data row {@code badRow}
   * (0-based, -1: none) gets {@code bad} as its temperature, or, for an empty {@code bad}, loses
   * its last column.
   */
  private static String csv(float[][] v, boolean time, int badRow, String bad) {
    StringBuilder sb = new StringBuilder(time ? "timestamp," : "")
        .append(String.join(",", SENSOR_COLUMNS)).append('\n');
    Instant t0 = Instant.parse("2026-11-23T10:00:00Z");
    for (int t = 0; t < v[0].length; t++) {
      if (time) {
        sb.append(t0.plusSeconds(60L * t)).append(',');
      }
      if (t == badRow && bad.isEmpty()) {
        sb.append(v[0][t]).append('\n');
        continue;
      }
      sb.append(t == badRow ? bad : Float.toString(v[0][t]));
      sb.append(',').append(v[1][t]).append('\n');
    }
    return sb.toString();
  }

  /** {@code [[v0, v1], ...]}: rows are time steps. */
  private static String jsonRows(float[][] v) {
    StringBuilder sb = new StringBuilder("[");
    for (int t = 0; t < v[0].length; t++) {
      sb.append(t == 0 ? "" : ",").append('[').append(v[0][t]).append(',').append(v[1][t]).append(']');
    }
    return sb.append("]\n").toString();
  }

  /** (C, L) to row-major (L, C). */
  private static float[] interleave(float[][] v) {
    int c = v.length;
    int len = v[0].length;
    float[] out = new float[c * len];
    for (int t = 0; t < len; t++) {
      for (int k = 0; k < c; k++) {
        out[t * c + k] = v[k][t];
      }
    }
    return out;
  }

  /**
   * A NumPy .npy file, format 1.0: magic, version, header length (u16 LE), a header dict padded with
   * spaces and a newline to a multiple of 64 bytes, then little-endian float32 data in C order.
   */
  private static byte[] npy(long[] shape, float[] data) {
    StringBuilder dims = new StringBuilder();
    for (long d : shape) {
      dims.append(d).append(", ");
    }
    String tuple = shape.length == 1 ? dims.toString().trim() : dims.substring(0, dims.length() - 2);
    StringBuilder header = new StringBuilder(
        "{'descr': '<f4', 'fortran_order': False, 'shape': (" + tuple + "), }");
    while ((10 + header.length() + 1) % 64 != 0) {
      header.append(' ');
    }
    header.append('\n');
    byte[] h = header.toString().getBytes(StandardCharsets.ISO_8859_1);
    ByteBuffer b = ByteBuffer.allocate(10 + h.length + 4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
    b.putShort((short) h.length);
    b.put(h);
    for (float f : data) {
      b.putFloat(f);
    }
    return b.array();
  }

  /**
   * A copy of a valid PNG whose IHDR declares {@code width x height}, with the chunk's CRC
   * recomputed, so only the size is wrong.
   */
  private static byte[] withPngSize(byte[] png, int width, int height) {
    byte[] b = png.clone();
    assertThat(new String(b, 12, 4, StandardCharsets.ISO_8859_1)).isEqualTo("IHDR");
    ByteBuffer buf = ByteBuffer.wrap(b); // big-endian, as PNG
    buf.putInt(16, width);
    buf.putInt(20, height);
    CRC32 crc = new CRC32();
    crc.update(b, 12, 4 + 13); // type + data
    buf.putInt(12 + 4 + 13, (int) crc.getValue());
    return b;
  }
}
