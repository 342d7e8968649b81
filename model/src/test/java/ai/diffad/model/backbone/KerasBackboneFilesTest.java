package ai.diffad.model.backbone;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A TF.js backbone's weightsManifest may only name shards inside the backbone's folder. */
class KerasBackboneFilesTest {
  @TempDir Path dir;

  private void refused(Path modelJson, String shard) throws Exception {
    Files.writeString(modelJson, "{\"modelTopology\": {\"config\": {\"layers\": []}},"
        + " \"weightsManifest\": [{\"paths\": [\"" + shard + "\"], \"weights\": []}]}");
    try (NDManager m = NDManager.newBaseManager()) {
      assertThatThrownBy(() -> KerasBackbone.load(modelJson, "x", m))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("weightsManifest names " + shard)
          .hasMessageContaining("outside the backbone's folder");
    }
  }

  @Test
  void shardsOutsideTheFolderAreRefusedBeforeTheyAreRead(@TempDir Path elsewhere) throws Exception {
    Path folder = Files.createDirectories(dir.resolve("mobilenet"));
    Files.write(elsewhere.resolve("secret.bin"), new byte[16]);
    Path modelJson = folder.resolve("model.json");
    refused(modelJson, "../" + dir.relativize(elsewhere.resolve("secret.bin")));
    refused(modelJson, elsewhere.resolve("secret.bin").toString());
    Files.createSymbolicLink(folder.resolve("link.bin"), elsewhere.resolve("secret.bin"));
    refused(modelJson, "link.bin");
  }
}
