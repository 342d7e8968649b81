package ai.diffad.evaluation.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportJsonTest {
  @TempDir Path dir;

  record Threshold(double value, String source, float[] history) {}

  @Test
  void nanAndInfinityBecomeNullAndAreReportedByJsonPointer() throws Exception {
    Map<String, Object> perDefect = new LinkedHashMap<>();
    perDefect.put("crack", Double.NaN);
    perDefect.put("hole", 0.875);
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("image_auroc", 0.9875);
    report.put("pixel_auroc", Double.POSITIVE_INFINITY);
    report.put("per_defect_auroc", perDefect);
    report.put("threshold", new Threshold(0.25, "calibration.json", new float[] {1f, Float.NaN}));
    report.put("list", List.of(1, Double.NEGATIVE_INFINITY));

    Path file = dir.resolve("report.json");
    List<String> nulled = ReportJson.write(file, report);

    assertThat(nulled).containsExactly("/pixel_auroc", "/per_defect_auroc/crack",
        "/threshold/history/1", "/list/1");
    String text = Files.readString(file);
    assertThat(text).doesNotContain("NaN").doesNotContain("Infinity");
    JsonNode root = new ObjectMapper().readTree(text);
    assertThat(root.get("image_auroc").doubleValue()).isEqualTo(0.9875);
    assertThat(root.get("pixel_auroc").isNull()).isTrue();
    assertThat(root.at("/per_defect_auroc/crack").isNull()).isTrue();
    assertThat(root.at("/per_defect_auroc/hole").doubleValue()).isEqualTo(0.875);
    assertThat(root.at("/threshold/value").doubleValue()).isEqualTo(0.25);
    assertThat(root.at("/threshold/source").textValue()).isEqualTo("calibration.json");
    assertThat(root.at("/threshold/history/0").doubleValue()).isEqualTo(1.0);
    assertThat(root.at("/threshold/history/1").isNull()).isTrue();
    assertThat(root.at("/list/0").intValue()).isEqualTo(1);
    // Pretty-printed.
    assertThat(text).contains("\n  \"image_auroc\" : 0.9875,");
  }

  @Test
  void strictWriterRefusesNonFiniteValuesAndWritesNothing() {
    Path file = dir.resolve("strict.json");
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("aupro", Double.NaN);
    assertThatThrownBy(() -> ReportJson.writeStrict(file, report))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("/aupro");
    assertThat(file).doesNotExist();
  }

  @Test
  void keyOrderIsInsertionOrderForLinkedMapsComponentOrderForRecordsAndSortedOtherwise()
      throws Exception {
    Map<String, Object> report = new LinkedHashMap<>();
    for (String k : List.of("image_auroc", "pixel_auroc", "aupro", "f1_max")) {
      report.put(k, 0.5);
    }
    Map<String, Object> hashed = new HashMap<>();
    for (String k : List.of("zeta", "alpha", "mid", "beta", "omega")) {
      hashed.put(k, 1);
    }
    report.put("config", hashed);
    report.put("immutable", Map.of("z", 1, "a", 2, "m", 3));
    report.put("threshold", new Threshold(0.1, "normals", new float[0]));
    report.put("model_dir", Path.of("models", "mvtec"));
    report.put("elapsed", Duration.ofMillis(1500));

    JsonNode root = new ObjectMapper().readTree(ReportJson.toJson(report, new ArrayList<>()));
    assertThat(names(root)).containsExactly("image_auroc", "pixel_auroc", "aupro", "f1_max",
        "config", "immutable", "threshold", "model_dir", "elapsed");
    assertThat(names(root.get("config"))).containsExactly("alpha", "beta", "mid", "omega",
        "zeta");
    assertThat(names(root.get("immutable"))).containsExactly("a", "m", "z");
    assertThat(names(root.get("threshold"))).containsExactly("value", "source", "history");
    assertThat(root.get("model_dir").textValue()).isEqualTo(Path.of("models", "mvtec").toString());
    assertThat(root.get("elapsed").textValue()).isEqualTo("PT1.5S");
    // Same input, same bytes.
    assertThat(ReportJson.toJson(report, new ArrayList<>()))
        .isEqualTo(ReportJson.toJson(report, new ArrayList<>()));
  }

  private static List<String> names(JsonNode n) {
    List<String> out = new ArrayList<>();
    Iterator<String> it = n.fieldNames();
    it.forEachRemaining(out::add);
    return out;
  }
}
