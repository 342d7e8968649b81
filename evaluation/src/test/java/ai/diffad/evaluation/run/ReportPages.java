package ai.diffad.evaluation.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;

/** Reads back what a report.html shows, for the runners' end-to-end tests. */
final class ReportPages {
  /** How ReportHtml shows a missing value. */
  static final String MISSING = "n/a";

  private ReportPages() {}

  /** A metric as the metrics table shows it: 3 decimals, NaN as n/a. */
  static String fixed(double v) {
    return Double.isNaN(v) ? MISSING : String.format(Locale.ROOT, "%.3f", v);
  }

  /** The cells of the metrics-table row of {@code method}, in column order (exactly one row). */
  static List<String> metricsRow(String page, String method) {
    Matcher m = Pattern.compile("<tr><th scope=\"row\">" + Pattern.quote(method)
        + "(?:<sup>\\d+</sup>)?</th>(.*?)</tr>").matcher(page);
    assertThat(m.find()).as("metrics row of %s", method).isTrue();
    String cells = m.group(1);
    assertThat(m.find()).as("a second metrics row of %s", method).isFalse();
    List<String> out = new ArrayList<>();
    Matcher c = Pattern.compile("<td>(.*?)</td>").matcher(cells);
    while (c.find()) {
      out.add(c.group(1));
    }
    return out;
  }

  /**
   * The images the page refers to, in page order, after checking that each is a file next to the
   * page that decodes as an image of a plausible size.
   */
  static List<String> checkedImages(Path html) throws IOException {
    assertThat(html).isRegularFile();
    Matcher m = Pattern.compile("<img src=\"([^\"]+)\"").matcher(Files.readString(html));
    List<String> out = new ArrayList<>();
    while (m.find()) {
      String src = m.group(1);
      Path f = html.resolveSibling(src);
      assertThat(f).as(src).isRegularFile();
      BufferedImage img = ImageIO.read(f.toFile());
      assertThat(img).as(src).isNotNull();
      assertThat(img.getWidth()).as(src).isGreaterThan(100);
      assertThat(img.getHeight()).as(src).isGreaterThan(100);
      out.add(src);
    }
    assertThat(out).isNotEmpty();
    return out;
  }
}
