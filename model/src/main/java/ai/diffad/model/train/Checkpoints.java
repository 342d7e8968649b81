package ai.diffad.model.train;

import ai.diffad.config.DiffadConfig;
import ai.diffad.model.artifact.ArtifactException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Checkpoint layout: {@code <out>/checkpoints/step-NNNNNN/} with {@value #WEIGHTS} (training
 * weights of the denoiser; {@code NAME.weights.params} of any other network), {@value #EMA} (EMA
 * weights; {@code NAME.ema.params}), {@value #OPTIMIZER} (AdamW moments) and
 * {@value #STATE} (step, elapsed time, configuration). A checkpoint is written to a temporary
 * directory and renamed, so the newest {@code step-*} directory is always complete.
 */
final class Checkpoints {
  static final String DIR = "checkpoints";
  static final String WEIGHTS = "weights.params";
  static final String EMA = "ema.params";
  static final String OPTIMIZER = "optimizer.bin";
  static final String STATE = "state.json";
  private static final Pattern NAME = Pattern.compile("step-(\\d{6,})");

  /** The contents of {@value #STATE}. */
  record State(int step, double elapsedSeconds, DiffadConfig config) {}

  private Checkpoints() {}

  /** The training-weight file of a network: {@value #WEIGHTS} for the denoiser. */
  static String weights(String network) {
    return ai.diffad.model.artifact.ModelManifest.DENOISER.equals(network) ? WEIGHTS
        : network + "." + WEIGHTS;
  }

  /** The EMA-weight file of a network: {@value #EMA} for the denoiser. */
  static String ema(String network) {
    return ai.diffad.model.artifact.ModelManifest.DENOISER.equals(network) ? EMA
        : network + "." + EMA;
  }

  static Path dirFor(Path out, int step) {
    return out.resolve(DIR).resolve(String.format("step-%06d", step));
  }

  /** The newest complete checkpoint under {@code out}, if any. */
  static Optional<Path> newest(Path out) throws IOException {
    Path root = out.resolve(DIR);
    if (!Files.isDirectory(root)) {
      return Optional.empty();
    }
    try (Stream<Path> dirs = Files.list(root)) {
      return dirs.filter(p -> Files.isDirectory(p) && NAME.matcher(name(p)).matches())
          .max(Comparator.comparingLong(Checkpoints::stepOf));
    }
  }

  static long stepOf(Path dir) {
    Matcher m = NAME.matcher(name(dir));
    if (!m.matches()) {
      throw new IllegalArgumentException(dir + " is not a checkpoint directory");
    }
    return Long.parseLong(m.group(1));
  }

  private static String name(Path p) {
    return p.getFileName().toString();
  }

  static void writeState(Path file, State state) throws IOException {
    Files.writeString(file, mapper().writeValueAsString(state) + "\n");
  }

  static State readState(Path file) {
    try {
      return mapper().readValue(file.toFile(), State.class);
    } catch (IOException e) {
      throw new ArtifactException(file, "not a readable checkpoint state: " + e.getMessage(), e);
    }
  }

  static ObjectMapper mapper() {
    return new ObjectMapper()
        .enable(SerializationFeature.INDENT_OUTPUT)
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
  }
}
