package ai.diffad.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  private static final Path PROFILES = Path.of("profiles");

  private static DiffadConfig yaml(String text) {
    return ConfigLoader.parse(text, false, DiffadConfig.class);
  }

  @Test
  void everyShippedProfileLoadsAndValidates() throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.list(PROFILES)) {
      // stream-*.yaml are stream-job profiles (another schema); StreamConfigTest in flink-jobs
      // loads those.
      files = s.filter(p -> p.toString().endsWith(".yaml"))
          .filter(p -> !p.getFileName().toString().startsWith("stream-")).sorted().toList();
    }
    assertThat(files).extracting(p -> p.getFileName().toString())
        .contains("mnist.yaml", "magnetic-tile.yaml", "natural-gray.yaml");
    for (Path f : files) {
      DiffadConfig c = ConfigLoader.load(f);
      assertThat(c.name()).isEqualTo(f.getFileName().toString().replace(".yaml", ""));
    }
  }

  @Test
  void mnistProfileReadsIdxFilesClassConditionally() {
    DiffadConfig c = ConfigLoader.load(PROFILES.resolve("mnist.yaml"));
    assertThat(c.data().format()).isEqualTo(DataFormat.MNIST_IDX);
    assertThat(c.network().numClasses()).isEqualTo(10);
    assertThat(c.data().size() % c.network().sizeMultiple()).isZero();
  }

  @Test
  void aDetectorSectionReadsWithItsDefaultsAndItsErrorsNameTheField() {
    DiffadConfig c = yaml("detector:\n  sources: [perlin, Strokes]\n  tRange: [0, 300]\n");
    assertThat(c.detector().sources()).containsExactly("perlin", "strokes");
    assertThat(c.detector().tRange()).containsExactly(0, 300);
    assertThat(c.detector().cleanShare()).isEqualTo(0.5);
    assertThat(c.detector().beta()).containsExactly(0.1, 1.0);
    assertThat(c.detector().segmentation().baseChannels()).isEqualTo(16);
    assertThat(yaml("name: plain\n").detector()).isNull();
    assertThatThrownBy(() -> yaml("detector:\n  sources: [perlin, cracks]\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("detector.sources[1]: must be one of [perlin, shuffle, strokes, texture], got"
            + " 'cracks'");
    assertThatThrownBy(() -> yaml("detector:\n  sources: [texture]\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("detector.textures: is required when sources names texture");
    assertThatThrownBy(() -> yaml("detector:\n  beta: [0.8, 0.2]\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("detector.beta: must be [lo, hi] with lo <= hi");
    assertThatThrownBy(() -> yaml("detector:\n  tRange: [0, 2000]\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("detector.tRange: must end at most at schedule.timesteps (1000)");
    assertThatThrownBy(() -> yaml("detector:\n  cleanShare: 1.0\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("detector.cleanShare");
    assertThatThrownBy(() -> yaml("prediction: v\ndetector:\n  cleanShare: 0.2\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("detector: trains an epsilon-predicting network");
  }

  @Test
  void aProfileShipsTheEngineItsModelsAreScoredWith() {
    assertThat(yaml("name: plain\n").engineDefaults()).isEqualTo(EngineConfig.defaults());
    DiffadConfig c = yaml("detector: {cleanShare: 0.5}\nengine:\n  reconstruction: {tStar: 200,"
        + " steps: 1}\n  map: segmentation\n  score: {reduction: top-k}\n");
    assertThat(c.engineDefaults().tStar()).isEqualTo(200);
    assertThat(c.engineDefaults().steps()).isEqualTo(1);
    assertThat(c.engineDefaults().map().kind()).isEqualTo(MapKind.SEGMENTATION);
    assertThat(c.engineDefaults().reduction()).isEqualTo(ScoreReduction.TOP_K);
    assertThatThrownBy(() -> yaml("engine: {map: segmentation}\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("engine.map: segmentation needs a detector section");
    assertThatThrownBy(() -> yaml("engine: {reconstruction: {tStar: 1000}}\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("engine.reconstruction.tStar: must be < T (1000)");
    assertThatThrownBy(() -> yaml("engine: {map: {kind: l1, levels: [1]}}\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("engine.map.levels: unknown key");
  }

  @Test
  void negativeLearningRateNamesTheFieldPathAndTheValue() {
    assertThatThrownBy(() -> yaml("training:\n  learningRate: -1.0\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("training.learningRate: must be > 0, got -1.0");
  }

  @Test
  void holdoutKeepsEveryTenthImageOutOfTraining() throws Exception {
    DataConfig d = yaml("data:\n  holdout: 0.1\n").data();
    List<Integer> held = new java.util.ArrayList<>();
    for (int i = 0; i < 30; i++) {
      if (d.heldOut(i)) {
        held.add(i);
      }
    }
    assertThat(held).containsExactly(9, 19, 29);
    assertThat(yaml("data:\n  format: images\n").data().heldOut(9)).isFalse();
    assertThatThrownBy(() -> yaml("data:\n  holdout: 0.7\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("data.holdout: must be in [0, 0.5], got 0.7");
  }

  @Test
  void unknownKeyIsRefusedWithItsPathAndTheAllowedKeys() {
    assertThatThrownBy(() -> yaml("network:\n  baseChanels: 32\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("network.baseChanels: unknown key")
        .hasMessageContaining("baseChannels");
  }

  @Test
  void unknownTopLevelKeyIsRefused() {
    assertThatThrownBy(() -> yaml("nmae: x\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("nmae: unknown key");
  }

  @Test
  void badEnumValueListsTheAllowedSpellings() {
    assertThatThrownBy(() -> yaml("schedule:\n  kind: quadratic\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("schedule.kind: must be one of [linear, scaled-linear, cosine, sigmoid], got 'quadratic'");
  }

  @Test
  void enumSpellingsWithDashesAreAccepted() {
    DiffadConfig c = yaml("schedule:\n  kind: scaled-linear\nprediction: v\n");
    assertThat(c.schedule().kind()).isEqualTo(ScheduleKind.SCALED_LINEAR);
    assertThat(c.schedule().betaStart()).isEqualTo(0.00085);
    assertThat(c.prediction()).isEqualTo(PredictionType.V);
  }

  @Test
  void listElementErrorsNameTheIndex() {
    assertThatThrownBy(() -> yaml("network:\n  channelMultipliers: [1, 0, 2]\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("network.channelMultipliers[1]: must be in [1, 64], got 0");
  }

  @Test
  void crossFieldErrorNamesTheFieldToChange() {
    assertThatThrownBy(() -> yaml("network:\n  channelMultipliers: [1, 2, 2]\ndata:\n  size: 30\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("data.size: must be a multiple of 4 (2^(levels-1) for 3 levels), got 30");
  }

  @Test
  void groupsThatDoNotDivideChannelsAreRefused() {
    assertThatThrownBy(() -> yaml("network:\n  baseChannels: 12\n  groups: 8\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("network.groups: must divide every level's channels");
  }

  @Test
  void wrongTypeNamesTheFieldAndTheExpectedType() {
    assertThatThrownBy(() -> yaml("training:\n  steps: many\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("training.steps: expected integer");
  }

  @Test
  void jsonFilesAreReadLikeYaml(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("p.json");
    Files.writeString(f, "{\"name\": \"j\", \"training\": {\"steps\": 7, \"batchSize\": 3}}");
    DiffadConfig c = ConfigLoader.load(f);
    assertThat(c.training().steps()).isEqualTo(7);
    assertThat(c.training().batchSize()).isEqualTo(3);
  }

  @Test
  void otherExtensionsAndMissingFilesAreRefused(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("p.txt");
    Files.writeString(f, "name: x");
    assertThatThrownBy(() -> ConfigLoader.load(f)).hasMessageContaining("must be a .yaml, .yml or .json file");
    assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("nope.yaml")))
        .hasMessageContaining("file not found");
  }

  @Test
  void defaultsFillMissingSections() {
    DiffadConfig c = yaml("name: plain\n");
    assertThat(c.schedule().timesteps()).isEqualTo(1000);
    assertThat(c.schedule().betaEnd()).isEqualTo(0.02);
    assertThat(c.training().tMaxFor(1000)).isEqualTo(1000);
  }

  @Test
  void aDailyContextAddsAChannelThatTheImputerNeverHides() {
    String base = "network:\n  kind: unet1d\n  baseChannels: 32\n  groups: 8\ndata:\n"
        + "  format: nab\n  size: 64\n";
    DiffadConfig plain = yaml(base + "imputation:\n  masks: [last]\n  lastRows: 8\n"
        + "engine:\n  map: {kind: imputation, mask: last, lastRows: 8}\n");
    assertThat(plain.data().context()).isEqualTo(SeriesContext.NONE);
    assertThat(plain.data().channels()).isEqualTo(1);
    assertThat(plain.maskChannels()).isEqualTo(1);
    assertThat(plain.denoiserInChannels()).isEqualTo(3);
    DiffadConfig daily = yaml(base + "  context: daily\nimputation:\n  masks: [last]\n"
        + "  lastRows: 8\nengine:\n  map: {kind: imputation, mask: last, lastRows: 8}\n");
    assertThat(daily.data().context()).isEqualTo(SeriesContext.DAILY);
    assertThat(daily.data().channels()).as("the value and its context").isEqualTo(2);
    assertThat(daily.data().valueChannels()).isEqualTo(1);
    // A mask per channel, so that the context channel is never hidden: 2 + 2 + 2 inputs.
    assertThat(daily.maskChannels()).isEqualTo(2);
    assertThat(daily.denoiserInChannels()).isEqualTo(6);
    assertThat(yaml(base + "  context: daily\n").maskChannels()).as("no imputer").isZero();

    assertThatThrownBy(() -> yaml(base + "  context: weekly\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("data.context: must be one of [none, daily], got 'weekly'");
    assertThatThrownBy(() -> yaml(base + "  context: daily\n  channels: 1\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("data.channels: must be 2 for nab with context daily (one value column and"
            + " its context), got 1");
    assertThatThrownBy(() -> yaml("network:\n  kind: unet1d\ndata:\n  format: sensor\n"
        + "  channels: 2\n  context: daily\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("data.context: daily needs data.format nab (series with timestamps), got"
            + " sensor; allowed here: none");
  }

  @Test
  void sensorDataNeedTheOneDimensionalNetwork() {
    assertThatThrownBy(() -> yaml("data:\n  format: sensor\n  channels: 8\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("network.kind: must be unet1d for data.format sensor");
  }

  @Test
  void aFileThatIsNotUtf8IsRefusedNamingTheFileAndTheByteOffset(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("latin1.yaml");
    byte[] head = "name: x\n# caf".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    byte[] bytes = java.util.Arrays.copyOf(head, head.length + 2);
    bytes[head.length] = (byte) 0xe9; // 'é' in ISO-8859-1: a lone lead byte in UTF-8
    bytes[head.length + 1] = '\n';
    Files.write(f, bytes);
    assertThatThrownBy(() -> ConfigLoader.load(f))
        .isInstanceOf(ConfigException.class)
        .hasMessage("--config: " + f + " is not UTF-8 text: invalid byte e9 at byte offset 13"
            + " (save the file as UTF-8)")
        .extracting(e -> ((ConfigException) e).field()).isEqualTo("--config");
    // a truncated multi-byte sequence at the very end is refused too, at its offset
    Files.write(f, new byte[] {'n', 'a', 'm', 'e', ':', ' ', (byte) 0xe2, (byte) 0x82});
    assertThatThrownBy(() -> ConfigLoader.read(f, EngineConfig.class, "--engine"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("--engine: " + f + " is not UTF-8 text: invalid byte")
        .hasMessageContaining("at byte offset 6");
    // the same text in UTF-8 reads
    Files.writeString(f, "name: x\n# caf\u00e9\n", java.nio.charset.StandardCharsets.UTF_8);
    assertThat(ConfigLoader.load(f).name()).isEqualTo("x");
  }

  @Test
  void aFileOverTheSizeCapIsRefusedNamingTheCapAndTheSize(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("big.yaml");
    // valid YAML just over the cap (a comment), so only the size can refuse it
    StringBuilder b = new StringBuilder("name: big\n#");
    b.append("x".repeat(ConfigLoader.MAX_BYTES - b.length() + 1));
    Files.writeString(f, b);
    long size = Files.size(f);
    assertThat(size).isEqualTo(ConfigLoader.MAX_BYTES + 1L);
    assertThatThrownBy(() -> ConfigLoader.load(f))
        .isInstanceOf(ConfigException.class)
        .hasMessage("--config: " + f + " is " + size + " bytes, over the cap of 1048576 bytes"
            + " (1 MiB) for a configuration file; is it the right file?");
    // exactly at the cap it is read
    Files.writeString(f, b.substring(0, b.length() - 1));
    assertThat(Files.size(f)).isEqualTo(ConfigLoader.MAX_BYTES);
    assertThat(ConfigLoader.load(f).name()).isEqualTo("big");
  }
}
