package ai.diffad.model.artifact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.diffad.config.DataConfig;
import ai.diffad.config.DataFormat;
import ai.diffad.config.DiffadConfig;
import ai.diffad.config.NetworkConfig;
import ai.diffad.config.PredictionType;
import ai.diffad.config.ScheduleConfig;
import ai.diffad.config.ScheduleKind;
import ai.diffad.model.testutils.TinyDenoiser;
import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelArtifactTest {
  @TempDir Path dir;

  private final DiffadConfig config = new DiffadConfig(
      "tiny-artifact",
      ScheduleConfig.of(ScheduleKind.COSINE, 500),
      PredictionType.V,
      new NetworkConfig(null, 8, List.of(1), null, null, 8, null, null),
      null,
      new DataConfig(DataFormat.IMAGES, 1, 16, null, null, null, null, null));

  private final ModelManifest.TrainingInfo info = new ModelManifest.TrainingInfo(
      "ab".repeat(32), "synthetic", 4, 10, 7L, "2024-01-02T03:04:05Z");

  private float[] expected;

  @BeforeEach
  void saveAnArtifact() {
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      Block block = TinyDenoiser.create(config.network(), 1);
      block.initialize(m, DataType.FLOAT32, NetworkFactory.inputShapes(config));
      ModelArtifact.save(dir, config, block, info);
      NDList in = inputs(m);
      expected = block.forward(new ParameterStore(m, false), in, false).head().toFloatArray();
    }
  }

  private static NDList inputs(NDManager m) {
    float[] x = new float[2 * 16 * 16];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) Math.sin(i * 0.1);
    }
    return new NDList(m.create(x, new Shape(2, 1, 16, 16)), m.create(new float[] {3, 250}));
  }

  @Test
  void saveThenLoadGivesBitIdenticalOutputsAndTheManifest() {
    try (LoadedModel model = ModelArtifact.load(dir, Device.cpu(), TinyDenoiser::create);
        NDManager m = NDManager.newBaseManager(Device.cpu())) {
      NDList in = inputs(m);
      NDArray y = model.networkFn().apply(in.get(0), in.get(1), null);
      assertThat(y.getManager()).isSameAs(m);
      assertThat(y.toFloatArray()).isEqualTo(expected);
      ModelManifest manifest = model.manifest();
      assertThat(manifest.formatVersion()).isEqualTo(1);
      assertThat(manifest.config()).isEqualTo(config);
      assertThat(manifest.training()).isEqualTo(info);
      assertThat(manifest.input().channels()).isEqualTo(1);
      assertThat(manifest.input().valueMin()).isEqualTo(-1.0);
      assertThat(manifest.files()).containsOnlyKeys(ModelArtifact.WEIGHTS);
      assertThat(manifest.files().get(ModelArtifact.WEIGHTS))
          .isEqualTo(BlockWeights.sha256(dir.resolve(ModelArtifact.WEIGHTS)));
    }
  }

  @Test
  void aFlippedByteInTheWeightsIsRefusedNamingTheFile() throws IOException {
    Path weights = dir.resolve(ModelArtifact.WEIGHTS);
    byte[] bytes = Files.readAllBytes(weights);
    bytes[bytes.length / 2] ^= 0x01;
    Files.write(weights, bytes);
    assertThatThrownBy(() -> ModelArtifact.load(dir, Device.cpu(), TinyDenoiser::create))
        .isInstanceOf(ArtifactException.class)
        .hasMessageContaining(weights.toString())
        .hasMessageContaining("SHA-256 mismatch");
  }

  @Test
  void anUnknownFormatVersionIsRefusedNamingBothVersions() throws IOException {
    Path manifest = dir.resolve(ModelArtifact.MANIFEST);
    String text = Files.readString(manifest);
    assertThat(text).contains("\"formatVersion\" : 1");
    Files.writeString(manifest, text.replace("\"formatVersion\" : 1", "\"formatVersion\" : 7"));
    assertThatThrownBy(() -> ModelArtifact.load(dir, Device.cpu(), TinyDenoiser::create))
        .isInstanceOf(ArtifactException.class)
        .hasMessageContaining("model.json")
        .hasMessageContaining("unsupported formatVersion 7")
        .hasMessageContaining("reads version 1");
  }

  @Test
  void aMissingWeightFileIsNamed() throws IOException {
    Files.delete(dir.resolve(ModelArtifact.WEIGHTS));
    assertThatThrownBy(() -> ModelArtifact.load(dir, Device.cpu(), TinyDenoiser::create))
        .isInstanceOf(ArtifactException.class)
        .hasMessageContaining(ModelArtifact.WEIGHTS)
        .hasMessageContaining("missing");
  }

  @Test
  void aDirectoryWithoutManifestIsNotAnArtifact() {
    Path empty = dir.resolve("empty");
    assertThatThrownBy(() -> ModelArtifact.load(empty, Device.cpu(), TinyDenoiser::create))
        .isInstanceOf(ArtifactException.class)
        .hasMessageContaining("model.json")
        .hasMessageContaining("not a model artifact");
  }
}
