package ai.diffad.flink.feed;

import ai.diffad.denoise.record.DecodedInput;
import static org.assertj.core.api.Assertions.assertThat;

import ai.diffad.config.EngineConfig;
import ai.diffad.denoise.io.ImageEncoder;
import ai.diffad.denoise.io.ImageFormat;
import ai.diffad.denoise.record.RejectReason;
import ai.diffad.model.artifact.ModelManifest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InputDecoderTest {
  @TempDir Path dir;

  private static final EngineConfig ENGINE = EngineConfig.builder().maxPixels(10_000L)
      .maxSensorValues(1_000L).build();

  private static InputDecoder imageModel() {
    return new InputDecoder(new ModelManifest(1, "gray", null,
        new ModelManifest.InputSpec(ModelManifest.Layout.NCHW, 1, 16, -1, 1, "x / max * 2 - 1", null, null), null, null, null),
        ENGINE, 1 << 20);
  }

  private static InputDecoder sensorModel() {
    return new InputDecoder(new ModelManifest(1, "pump", null,
        new ModelManifest.InputSpec(ModelManifest.Layout.NCL, 2, 8, -1, 1, "(x - mean) / std",
            new double[] {10, 0}, new double[] {2, 1}), null, null, null),
        ENGINE, 1 << 20);
  }

  private static DecodedInput ok(DecodeOutcome o) {
    assertThat(o).isInstanceOf(DecodeOutcome.Decoded.class);
    return ((DecodeOutcome.Decoded) o).input();
  }

  private static RejectReason reason(DecodeOutcome o) {
    assertThat(o).isInstanceOf(DecodeOutcome.Rejected.class);
    return ((DecodeOutcome.Rejected) o).rejection().reason();
  }

  private static FeedRecord tensor(String id, int[] shape, float[] data) {
    return new FeedRecord(id, "src", null, null, new FeedRecord.Tensor(shape, data));
  }

  @Test
  void imagesFromBase64AndFilesComeOutInTheModelsChannels() throws Exception {
    byte[] rgb = ImageEncoder.encode(new float[3 * 4 * 5], 3, 4, 5, null, 8, ImageFormat.PNG);
    DecodedInput d = ok(imageModel().decode(new FeedRecord("a", "cam", null,
        Base64.getEncoder().encodeToString(rgb), null)));
    assertThat(d.kind()).isEqualTo(DecodedInput.IMAGE);
    assertThat(d.channels()).isEqualTo(1);
    assertThat(d.height()).isEqualTo(4);
    assertThat(d.width()).isEqualTo(5);
    assertThat(d.data()).hasSize(20);
    assertThat(d.source()).isEqualTo("cam");

    Path f = dir.resolve("b.png");
    Files.write(f, rgb);
    assertThat(ok(imageModel().decode(FeedRecord.ofPath("b.png", null, f.toString()))).data()).hasSize(20);
  }

  @Test
  void badImagesAreRejectedWithTheirReason() throws Exception {
    Path empty = Files.createFile(dir.resolve("empty.png"));
    Path text = Files.writeString(dir.resolve("text.png"), "{\"id\": \"not an image\"}");
    InputDecoder d = imageModel();
    assertThat(reason(d.decode(FeedRecord.ofPath("e", null, empty.toString())))).isEqualTo(RejectReason.EMPTY);
    assertThat(reason(d.decode(FeedRecord.ofPath("t", null, text.toString())))).isEqualTo(RejectReason.DECODE_FAILED);
    assertThat(reason(d.decode(FeedRecord.ofPath("m", null, dir.resolve("missing.png").toString()))))
        .isEqualTo(RejectReason.UNREADABLE);
    assertThat(reason(d.decode(new FeedRecord("x", null, null, "%%%", null)))).isEqualTo(RejectReason.MALFORMED);
  }

  @Test
  void imageTensorsAreCheckedForShapeSizeAndFiniteValues() {
    InputDecoder d = imageModel();
    DecodedInput hw = ok(d.decode(tensor("hw", new int[] {2, 3}, new float[6])));
    assertThat(hw.channels()).isEqualTo(1);
    DecodedInput rgb = ok(d.decode(tensor("chw", new int[] {3, 2, 2}, new float[12])));
    assertThat(rgb.data()).hasSize(4);
    float[] nan = new float[6];
    nan[4] = Float.NaN;
    assertThat(reason(d.decode(tensor("nan", new int[] {2, 3}, nan)))).isEqualTo(RejectReason.NON_FINITE_VALUES);
    assertThat(reason(d.decode(tensor("4d", new int[] {1, 1, 2, 3}, new float[6]))))
        .isEqualTo(RejectReason.UNSUPPORTED_SHAPE);
    assertThat(reason(d.decode(tensor("big", new int[] {101, 100}, new float[10_100]))))
        .isEqualTo(RejectReason.TOO_LARGE);
    assertThat(reason(d.decode(tensor("bad", new int[] {2, 3}, new float[5])))).isEqualTo(RejectReason.MALFORMED);
  }

  @Test
  void seriesAreReadCheckedAndNormalisedWithTheTrainingStatistics() {
    InputDecoder d = sensorModel();
    float[] v = new float[2 * 10];
    java.util.Arrays.fill(v, 0, 10, 12f); // channel 0: (12 - 10) / 2 = 1
    DecodedInput s = ok(d.decode(tensor("s", new int[] {2, 10}, v)));
    assertThat(s.kind()).isEqualTo(DecodedInput.SERIES);
    assertThat(s.width()).isEqualTo(10);
    assertThat(s.data()[0]).isEqualTo(1f);
    assertThat(s.data()[10]).isEqualTo(0f);

    assertThat(reason(d.decode(tensor("3ch", new int[] {3, 10}, new float[30])))).isEqualTo(RejectReason.UNSUPPORTED_SHAPE);
    assertThat(reason(d.decode(tensor("short", new int[] {2, 4}, new float[8])))).isEqualTo(RejectReason.TOO_SHORT);
    assertThat(reason(d.decode(tensor("huge", new int[] {2, 600}, new float[1200])))).isEqualTo(RejectReason.TOO_LARGE);

    StringBuilder csv = new StringBuilder("a,b\n");
    for (int i = 0; i < 9; i++) {
      csv.append(10 + i).append(',').append(i).append('\n');
    }
    DecodedInput c = ok(d.decode(new FeedRecord("csv", null, null,
        Base64.getEncoder().encodeToString(csv.toString().getBytes(StandardCharsets.UTF_8)), null)));
    assertThat(c.channels()).isEqualTo(2);
    assertThat(c.width()).isEqualTo(9);
  }

  @Test
  void aModelWithADailyContextGetsItFromTheTimestampsOrAsAGivenChannel() throws Exception {
    ai.diffad.config.DiffadConfig cfg = ai.diffad.config.ConfigLoader.parse("network:\n"
        + "  kind: unet1d\n  baseChannels: 16\n  groups: 8\ndata:\n  format: nab\n  size: 8\n"
        + "  context: daily\n", false, ai.diffad.config.DiffadConfig.class);
    InputDecoder d = new InputDecoder(new ModelManifest(1, "nab-context", cfg,
        new ModelManifest.InputSpec(ModelManifest.Layout.NCL, 2, 8, -1, 1, "per series",
            new double[] {0, 0}, new double[] {1, 1}), null, null, null), ENGINE, 1 << 20);
    // Hourly rows over two days: the second day's context is the first day's values.
    StringBuilder csv = new StringBuilder("timestamp,value\n");
    for (int r = 0; r < 48; r++) {
      csv.append(String.format(java.util.Locale.ROOT, "2016-05-%02d %02d:00:00,%d%n", 1 + r / 24,
          r % 24, r));
    }
    Path f = Files.writeString(dir.resolve("hourly.csv"), csv);
    DecodedInput s = ok(d.decode(FeedRecord.ofPath("h", "plant", f.toString())));
    assertThat(s.channels()).isEqualTo(2);
    assertThat(s.width()).isEqualTo(48);
    assertThat(s.data()[48 + 3]).as("no earlier day").isZero();
    assertThat(s.data()[48 + 24 + 5]).as("row 29: row 5 a day earlier").isEqualTo(5f);
    // A (2, L) tensor carries its context; a (1, L) tensor has no timestamps to build it from.
    assertThat(ok(d.decode(tensor("both", new int[] {2, 10}, new float[20]))).channels())
        .isEqualTo(2);
    DecodeOutcome bare = d.decode(tensor("bare", new int[] {10}, new float[10]));
    assertThat(reason(bare)).isEqualTo(RejectReason.UNSUPPORTED_SHAPE);
    assertThat(((DecodeOutcome.Rejected) bare).rejection().detail())
        .contains("context channel from the timestamps");
  }
}
