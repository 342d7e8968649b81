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
      assertThat(manifest.formatVersion()).isEqualTo(2);
      assertThat(manifest.networks()).containsOnlyKeys(ModelManifest.DENOISER);
      assertThat(manifest.denoiser().file()).isEqualTo(ModelArtifact.WEIGHTS);
      assertThat(manifest.config()).isEqualTo(config);
      assertThat(manifest.training()).isEqualTo(info);
      assertThat(manifest.input().channels()).isEqualTo(1);
      assertThat(manifest.input().valueMin()).isEqualTo(-1.0);
      assertThat(manifest.files()).containsOnlyKeys(ModelArtifact.WEIGHTS);
      assertThat(manifest.fingerprint())
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
    assertThat(text).contains("\"formatVersion\" : 2");
    Files.writeString(manifest, text.replace("\"formatVersion\" : 2", "\"formatVersion\" : 7"));
    assertThatThrownBy(() -> ModelArtifact.load(dir, Device.cpu(), TinyDenoiser::create))
        .isInstanceOf(ArtifactException.class)
        .hasMessageContaining("model.json")
        .hasMessageContaining("unsupported formatVersion 7")
        .hasMessageContaining("reads versions 1 to 2");
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

  /** A format-1 manifest: the one written before named networks (no "networks", version 1). */
  private void rewriteAsFormatOne() throws IOException {
    Path manifest = dir.resolve(ModelArtifact.MANIFEST);
    com.fasterxml.jackson.databind.node.ObjectNode tree = (com.fasterxml.jackson.databind.node.ObjectNode)
        ModelArtifact.mapper().readTree(Files.readString(manifest));
    tree.put("formatVersion", 1);
    tree.remove("networks");
    Files.writeString(manifest, ModelArtifact.mapper().writeValueAsString(tree));
  }

  @Test
  void aFormatOneModelStillLoadsAsTheSameDenoiserWithTheSameFingerprint() throws IOException {
    String before = ModelArtifact.readManifest(dir).fingerprint();
    rewriteAsFormatOne();
    try (LoadedModel model = ModelArtifact.load(dir, Device.cpu(), TinyDenoiser::create);
        NDManager m = NDManager.newBaseManager(Device.cpu())) {
      NDList in = inputs(m);
      assertThat(model.networkFn().apply(in.get(0), in.get(1), null).toFloatArray())
          .isEqualTo(expected);
      assertThat(model.manifest().formatVersion()).isEqualTo(1);
      assertThat(model.manifest().networks()).containsOnlyKeys(ModelManifest.DENOISER);
      assertThat(model.manifest().fingerprint()).isEqualTo(before)
          .isEqualTo(BlockWeights.sha256(dir.resolve(ModelArtifact.WEIGHTS)));
    }
  }

  @Test
  void twoNamedNetworksAreSavedAndLoadedEachWithItsOwnVerifiedFile() throws IOException {
    Path two = dir.resolve("two");
    NetworkSpec head = new NetworkSpec("head.params", config.network(), 2, 1,
        List.of(NetworkSpec.X, NetworkSpec.T));
    float[] headOut;
    float[] denoiserOut;
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      Block denoiser = TinyDenoiser.create(config.network(), 1);
      denoiser.initialize(m, DataType.FLOAT32, NetworkFactory.inputShapes(config));
      Block h = NetworkFactory.standard().create(head);
      h.initialize(m, DataType.FLOAT32, NetworkFactory.inputShapes(config, head));
      ModelArtifact.save(two, config, ModelManifest.InputSpec.of(config), java.util.Map.of(
          ModelManifest.DENOISER, new ModelArtifact.NamedNetwork(
              NetworkSpec.denoiser(ModelArtifact.WEIGHTS, config.network(), 1), denoiser),
          "head", new ModelArtifact.NamedNetwork(head, h)), info);
      ParameterStore ps = new ParameterStore(m, false);
      denoiserOut = denoiser.forward(ps, inputs(m), false).head().toFloatArray();
      NDList in = inputs(m);
      headOut = h.forward(ps, new NDList(in.get(0).concat(in.get(0), 1), in.get(1)), false)
          .head().toFloatArray();
    }
    ModelManifest manifest = ModelArtifact.readManifest(two);
    assertThat(manifest.networks()).containsOnlyKeys(ModelManifest.DENOISER, "head");
    assertThat(manifest.files()).containsOnlyKeys(ModelArtifact.WEIGHTS, "head.params");
    assertThat(manifest.files().get("head.params"))
        .isEqualTo(BlockWeights.sha256(two.resolve("head.params")));
    try (LoadedModel model = ModelArtifact.load(two, Device.cpu(), TinyDenoiser::create);
        NDManager m = NDManager.newBaseManager(Device.cpu())) {
      assertThat(model.networkNames()).containsExactly(ModelManifest.DENOISER, "head");
      NDList in = inputs(m);
      assertThat(model.forward(ModelManifest.DENOISER, in).head().toFloatArray())
          .isEqualTo(denoiserOut);
      NDArray out = model.forward("head", new NDList(in.get(0).concat(in.get(0), 1), in.get(1)))
          .head();
      assertThat(out.getShape()).isEqualTo(new Shape(2, 1, 16, 16));
      assertThat(out.toFloatArray()).isEqualTo(headOut);
      assertThatThrownBy(() -> model.forward("nope", in))
          .hasMessageContaining("has no network nope");
    }
    Path headFile = two.resolve("head.params");
    byte[] bytes = Files.readAllBytes(headFile);
    bytes[bytes.length - 3] ^= 0x10;
    Files.write(headFile, bytes);
    assertThatThrownBy(() -> ModelArtifact.load(two, Device.cpu(), TinyDenoiser::create))
        .isInstanceOf(ArtifactException.class)
        .hasMessageContaining(headFile.toString())
        .hasMessageContaining("SHA-256 mismatch");
  }

  @Test
  void aStateFileIsListedWithItsShaVerifiedOnLoadAndOnRead() throws IOException {
    byte[] state = "bank".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    ModelManifest m = ModelArtifact.putFile(dir, "maps/knn.bank", state);
    assertThat(m.files()).containsKeys(ModelArtifact.WEIGHTS, "maps/knn.bank");
    assertThat(m.files().get("maps/knn.bank")).isEqualTo(BlockWeights.sha256(state));
    assertThat(m.fingerprint()).isNotEqualTo(m.files().get(ModelArtifact.WEIGHTS));
    Path file = dir.resolve("maps/knn.bank");
    try (LoadedModel model = ModelArtifact.load(dir, Device.cpu(), TinyDenoiser::create)) {
      assertThat(model.readFile("maps/knn.bank")).contains(state);
      assertThat(model.readFile("other.bank")).isEmpty();
      Files.writeString(file, "knab");
      assertThatThrownBy(() -> model.readFile("maps/knn.bank"))
          .isInstanceOf(ArtifactException.class)
          .hasMessageContaining(file.toString())
          .hasMessageContaining("SHA-256 mismatch");
    }
    assertThatThrownBy(() -> ModelArtifact.load(dir, Device.cpu(), TinyDenoiser::create))
        .isInstanceOf(ArtifactException.class)
        .hasMessageContaining(file.toString());
    assertThatThrownBy(() -> ModelArtifact.putFile(dir, ModelArtifact.WEIGHTS, state))
        .hasMessageContaining("weight file");
    assertThatThrownBy(() -> ModelArtifact.putFile(dir, "../outside", state))
        .hasMessageContaining("not a model file name");
  }

  /**
   * The backbone a state file was built with is recorded in model.json beside the file's SHA-256,
   * survives replacing the file and reading the manifest back, and can only name a listed file.
   */
  @Test
  void theBackboneOfAStateFileIsRecordedInTheManifest() throws IOException {
    byte[] state = "bank".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    ModelArtifact.putFile(dir, "maps/knn-bank.bin", state);
    String backbone = "backbone=mobilenet_v2[block_5_add,block_9_add]@224/keras;sha256=8a45";
    ModelArtifact.recordBackbone(dir, "maps/knn-bank.bin", backbone);
    assertThat(Files.readString(dir.resolve(ModelArtifact.MANIFEST))).contains("\"backbones\"")
        .contains("mobilenet_v2[block_5_add,block_9_add]@224/keras;sha256=8a45");
    ModelArtifact.putFile(dir, "maps/knn-bank.bin", "bank2".getBytes(
        java.nio.charset.StandardCharsets.UTF_8));
    ModelManifest m = ModelArtifact.readManifest(dir);
    assertThat(m.backbones()).containsExactly(java.util.Map.entry("maps/knn-bank.bin", backbone));
    assertThat(m.files()).containsKey("maps/knn-bank.bin");
    assertThatThrownBy(() -> ModelArtifact.recordBackbone(dir, "maps/none.bin", backbone))
        .hasMessageContaining("not a file of the model");
  }

  /** model.json rewritten by {@code edit} (its JSON tree). */
  private void editManifest(java.util.function.Consumer<com.fasterxml.jackson.databind.node.ObjectNode> edit)
      throws IOException {
    Path manifest = dir.resolve(ModelArtifact.MANIFEST);
    com.fasterxml.jackson.databind.node.ObjectNode tree = (com.fasterxml.jackson.databind.node.ObjectNode)
        ModelArtifact.mapper().readTree(Files.readString(manifest));
    edit.accept(tree);
    Files.writeString(manifest, ModelArtifact.mapper().writeValueAsString(tree));
  }

  private void assertRefused(String field, String problem) {
    for (org.assertj.core.api.ThrowableAssert.ThrowingCallable c : List.<org.assertj.core.api.ThrowableAssert.ThrowingCallable>of(
        () -> ModelArtifact.readManifest(dir),
        () -> ModelArtifact.load(dir, Device.cpu(), TinyDenoiser::create))) {
      assertThatThrownBy(c)
          .isInstanceOf(ArtifactException.class)
          .hasMessageStartingWith(dir.resolve(ModelArtifact.MANIFEST) + ": " + field + ": ")
          .hasMessageContaining(problem)
          .hasMessageContaining("a model's files must lie in its directory");
    }
  }

  /**
   * A manifest naming a file outside the model directory is refused when it is read, naming the
   * field, even when the file outside exists and has the listed SHA-256 (so hashing or loading it
   * would have succeeded): '..', an absolute path, a link out of the directory, for the files, a
   * network's weight file and the backbones.
   */
  @Test
  void aManifestNamingAFileOutsideTheModelDirectoryIsRefusedNamingTheField(@TempDir Path elsewhere)
      throws IOException {
    Path outside = elsewhere.resolve("secret.bin");
    Files.writeString(outside, "not the model's");
    String sha = BlockWeights.sha256(outside);
    String dotdot = dir.relativize(outside).toString();
    assertThat(dotdot).startsWith("..");
    // the check is what refuses: the same edits naming a file inside load
    Files.writeString(dir.resolve("inside.bin"), "not the model's");
    editManifest(t -> ((com.fasterxml.jackson.databind.node.ObjectNode) t.get("files")).put("inside.bin", sha));
    ModelArtifact.load(dir, Device.cpu(), TinyDenoiser::create).close();

    editManifest(t -> ((com.fasterxml.jackson.databind.node.ObjectNode) t.get("files")).put(dotdot, sha));
    assertRefused("files[\"" + dotdot + "\"]", "leads outside the model directory");

    editManifest(t -> {
      ((com.fasterxml.jackson.databind.node.ObjectNode) t.get("files")).remove(dotdot);
      ((com.fasterxml.jackson.databind.node.ObjectNode) t.get("files")).put(outside.toString(), sha);
    });
    assertRefused("files[\"" + outside + "\"]", "is an absolute path");

    Files.createDirectories(dir.resolve("maps"));
    Files.createSymbolicLink(dir.resolve("maps/link.bin"), outside);
    editManifest(t -> {
      ((com.fasterxml.jackson.databind.node.ObjectNode) t.get("files")).remove(outside.toString());
      ((com.fasterxml.jackson.databind.node.ObjectNode) t.get("files")).put("maps/link.bin", sha);
    });
    assertRefused("files[\"maps/link.bin\"]", "leads through a link to " + outside.toRealPath());

    // a network's weight file: listed inside, named outside
    Path weightsOutside = elsewhere.resolve("weights.params");
    Files.copy(dir.resolve(ModelArtifact.WEIGHTS), weightsOutside);
    editManifest(t -> {
      ((com.fasterxml.jackson.databind.node.ObjectNode) t.get("files")).remove("maps/link.bin");
      ((com.fasterxml.jackson.databind.node.ObjectNode) t.with("networks").get("denoiser"))
          .put("file", weightsOutside.toString());
    });
    assertRefused("networks.denoiser.file", "is an absolute path");
    editManifest(t -> ((com.fasterxml.jackson.databind.node.ObjectNode) t.with("networks").get("denoiser"))
        .put("file", "maps/../../" + dir.getFileName() + "/../" + dir.relativize(weightsOutside)));
    assertRefused("networks.denoiser.file", "leads outside the model directory");

    // a backbone entry
    editManifest(t -> {
      ((com.fasterxml.jackson.databind.node.ObjectNode) t.with("networks").get("denoiser"))
          .put("file", ModelArtifact.WEIGHTS);
      t.putObject("backbones").put("../bank.bin", "backbone=x");
    });
    assertRefused("backbones[\"../bank.bin\"]", "leads outside the model directory");
  }
}
