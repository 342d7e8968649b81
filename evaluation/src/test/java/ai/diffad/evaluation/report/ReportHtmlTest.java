package ai.diffad.evaluation.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportHtmlTest {
  @TempDir Path dir;

  private static final String ORACLE = "oracle: threshold chosen on test labels";
  private static final String CALIBRATED = "fitted on held-out normal images only";

  private static ReportHtml.MetricsTable metrics() {
    Map<String, Double> diffad = new LinkedHashMap<>();
    diffad.put("image_auroc", 0.98765);
    diffad.put("f1_max", 0.9123);
    diffad.put("f1_calibrated", 0.8444);
    Map<String, Double> z = new LinkedHashMap<>();
    z.put("image_auroc", 0.70149);
    z.put("f1_max", Double.NaN);
    return new ReportHtml.MetricsTable()
        .column("image_auroc", "Image AUROC")
        .column("f1_max", "F1-max", ORACLE)
        .column("f1_calibrated", "F1 at calibrated threshold", CALIBRATED)
        .row("diffad", diffad)
        .row("<script>alert('x')</script>", "z-score of pixel values", z);
  }

  @Test
  void escapesMarkupInNamesAndShowsEveryMetricWithThreeDecimalsAndFootnotes() {
    String html = ReportHtml.titled("Eval & <b>report</b>").metrics("Detection", metrics())
        .render();
    assertThat(html).doesNotContain("<script>").doesNotContain("<b>report");
    assertThat(html).contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
    assertThat(html).contains("<title>Eval &amp; &lt;b&gt;report&lt;/b&gt;</title>");
    for (String v : List.of("0.988", "0.912", "0.844", "0.701")) {
      assertThat(html).contains("<td>" + v + "</td>");
    }
    // NaN and the missing f1_calibrated of the baseline.
    assertThat(html.split("<td>n/a</td>", -1)).hasSize(3);
    assertThat(html).contains("F1-max<sup>1</sup>")
        .contains("F1 at calibrated threshold<sup>2</sup>")
        .contains("<sup>3</sup>")
        .contains("<li>" + ORACLE + "</li>")
        .contains("<li>" + CALIBRATED + "</li>")
        .contains("<li>z-score of pixel values</li>");
    // Rows keep the order given; columns too.
    assertThat(html.indexOf("0.988")).isLessThan(html.indexOf("0.701"));
    assertThat(html.indexOf("0.988")).isLessThan(html.indexOf("0.912"));
  }

  @Test
  void referencesEveryImageRelativelyAndRefusesPathsOutsideTheFolder() {
    String html = ReportHtml.titled("r")
        .images("Curves", List.of(new ReportHtml.Figure("roc.png", "ROC <image level>"),
            new ReportHtml.Figure("pr.png", null)))
        .image("Highest-scored anomalies", "heatmaps/top anomalies.png", "grid")
        .render();
    assertThat(html).contains("src=\"roc.png\"").contains("src=\"pr.png\"")
        .contains("src=\"heatmaps/top%20anomalies.png\"")
        .contains("<figcaption>ROC &lt;image level&gt;</figcaption>");
    for (String bad : List.of("../roc.png", "/tmp/roc.png", "a/../../b.png",
        "file:///tmp/x.png", "javascript:alert(1)")) {
      assertThatThrownBy(() -> new ReportHtml.Figure(bad, null))
          .as(bad).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void keyValueAndGenericTablesFormatValuesAndCheckShapes() {
    Map<String, Object> engine = new LinkedHashMap<>();
    engine.put("steps", 50);
    engine.put("learning_rate", 1e-4);
    engine.put("sampler", "ddim");
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("engine", engine);
    config.put("threshold", 0.123456789);
    config.put("threshold_source", "calibration.json (normal images only)");
    String html = ReportHtml.titled("r")
        .keyValues("Configuration", config)
        .table("Denoising (PSNR dB / SSIM)", List.of("sigma", "set", "noisy", "NLM", "diffad"),
            List.of(List.of(15, "BSD68", 24.6012, 29.1449, 30.2), List.of(25, "BSD68",
                20.17, 26.6, Double.NaN)), "higher is better")
        .render();
    assertThat(html).contains("<th scope=\"row\">engine.steps</th><td>50</td>")
        .contains("<th scope=\"row\">engine.learning_rate</th><td>0.0001</td>")
        .contains("<th scope=\"row\">engine.sampler</th><td>ddim</td>")
        .contains("<td>0.123456789</td>")
        .contains("calibration.json (normal images only)");
    assertThat(html).contains("<td>15</td><td class=\"text\">BSD68</td><td>24.601</td>"
        + "<td>29.145</td><td>30.200</td>");
    assertThat(html).contains("<td>20.170</td><td>26.600</td><td>n/a</td>")
        .contains("<p class=\"note\">higher is better</p>");
    assertThatThrownBy(() -> ReportHtml.titled("r").table("t", List.of("a", "b"),
        List.of(List.of(1)))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("row 0");
  }

  @Test
  void writeProducesTheRenderedSelfContainedPage() throws Exception {
    ReportHtml report = ReportHtml.titled("diffad evaluate").paragraph("83 images")
        .metrics("Detection", metrics()).image("ROC", "roc.png", "ROC");
    Path file = dir.resolve("out/report.html");
    report.write(file);
    String html = Files.readString(file);
    assertThat(html).isEqualTo(report.render());
    assertThat(html).startsWith("<!DOCTYPE html>").contains("<style>")
        .doesNotContain("<script").doesNotContain("http://").doesNotContain("https://");
  }
}
