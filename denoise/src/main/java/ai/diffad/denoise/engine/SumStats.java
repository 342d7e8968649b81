package ai.diffad.denoise.engine;

import ai.diffad.config.ConfigException;
import ai.diffad.config.MapConfig;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The learned state of map = sum: each part's mean and standard deviation on normal images, saved
 * as {@value #FILE} with the parts they belong to, so that a sum of other parts refuses them.
 */
record SumStats(double[] means, double[] stds, String parts) {
  /** The file in the model directory (listed with its SHA-256 in model.json). */
  static final String FILE = "maps/sum-stats.json";
  private static final ObjectMapper JSON = new ObjectMapper();

  SumStats(double[] means, double[] stds, MapConfig.Sum sum) {
    this(means, stds, describe(sum));
  }

  /** How the file names the parts (their settings, weights aside). */
  static String describe(MapConfig.Sum sum) {
    try {
      return JSON.writeValueAsString(sum.parts());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  byte[] toBytes() {
    ObjectNode o = JSON.createObjectNode();
    o.put("parts", parts);
    ArrayNode m = o.putArray("means");
    ArrayNode s = o.putArray("stds");
    for (int i = 0; i < means.length; i++) {
      m.add(means[i]);
      s.add(stds[i]);
    }
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(o);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Reads the file back; the parts must be those of {@code sum}. */
  static SumStats fromBytes(byte[] bytes, MapConfig.Sum sum) {
    JsonNode o;
    try {
      o = JSON.readTree(new String(bytes, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalArgumentException(FILE + " is not JSON: " + e.getMessage(), e);
    }
    String parts = o.path("parts").asText();
    if (!parts.equals(describe(sum))) {
      throw new ConfigException("map", "the model's " + FILE + " was learned for the parts "
          + parts + ", this sum has " + describe(sum) + "; learn them again with diffad calibrate"
          + " --engine SUM_FILE --fit-data NORMAL_IMAGES");
    }
    double[] m = new double[o.path("means").size()];
    double[] s = new double[m.length];
    for (int i = 0; i < m.length; i++) {
      m[i] = o.path("means").get(i).asDouble();
      s[i] = o.path("stds").get(i).asDouble();
    }
    return new SumStats(m, s, parts);
  }
}
