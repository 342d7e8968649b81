package ai.diffad.evaluation.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScoresCsvTest {
  @TempDir Path dir;

  @Test
  void roundTripKeepsAwkwardPathsExactNumbersAndTheExactHeader() throws Exception {
    List<ScoresCsv.Row> rows = List.of(
        new ScoresCsv.Row("bottle/test/good/000.png", false, "good", 0.1 + 0.2, 0.5),
        new ScoresCsv.Row("odd,name.png", true, "crack", 0.75, -1.25e-7),
        new ScoresCsv.Row("say \"hi\".png", true, "broken_large", 3.0, Double.NaN),
        new ScoresCsv.Row("two\nlines.png", false, "good", 1e300, Double.POSITIVE_INFINITY),
        new ScoresCsv.Row(" padded.png", true, "a,b", -0.0, 0.0));
    Path file = dir.resolve("out/scores.csv");
    ScoresCsv.write(file, List.of("baseline_score"), rows);

    String text = Files.readString(file, StandardCharsets.UTF_8);
    List<String> lines = List.of(text.split("\n", -1));
    assertThat(lines.get(0)).isEqualTo("path,label,defect,score,baseline_score");
    assertThat(lines.get(1)).isEqualTo("bottle/test/good/000.png,0,good,0.30000000000000004,0.5");
    assertThat(lines.get(2)).isEqualTo("\"odd,name.png\",1,crack,0.75,-1.25E-7");
    assertThat(lines.get(3)).isEqualTo("\"say \"\"hi\"\".png\",1,broken_large,3.0,");
    assertThat(lines.get(4)).isEqualTo("\"two");
    assertThat(lines.get(5)).isEqualTo("lines.png\",0,good,1.0E300,inf");
    assertThat(lines.get(6)).isEqualTo("\" padded.png\",1,\"a,b\",-0.0,0.0");
    assertThat(text).endsWith("\n");

    ScoresCsv.Table back = ScoresCsv.read(file);
    assertThat(back.extraColumns()).containsExactly("baseline_score");
    assertThat(back.rows()).containsExactlyElementsOf(rows);
    assertThat(back.rows().get(2).extra()[0]).isNaN();
    assertThat(back.rows().get(1).anomalous()).isTrue();
    assertThat(back.rows().get(0).anomalous()).isFalse();
  }

  @Test
  void withoutExtraColumnsTheHeaderIsExactlyTheFourRequiredOnes() throws Exception {
    Path file = dir.resolve("scores.csv");
    ScoresCsv.write(file, List.of(new ScoresCsv.Row("a.png", true, "hole", 2.5)));
    assertThat(Files.readAllLines(file)).containsExactly("path,label,defect,score",
        "a.png,1,hole,2.5");
    assertThat(ScoresCsv.read(file).rows())
        .containsExactly(new ScoresCsv.Row("a.png", true, "hole", 2.5));
  }

  @Test
  void nullDefectIsWrittenEmptyAndReadBackAsEmpty() {
    String text = ScoresCsv.format(List.of(), List.of(new ScoresCsv.Row("x", false, null, 1)));
    assertThat(text).isEqualTo("path,label,defect,score\nx,0,,1.0\n");
    assertThat(ScoresCsv.parse(text, "t").rows().get(0).defect()).isEmpty();
  }

  @Test
  void readerAcceptsCrlfAndByteOrderMark() {
    ScoresCsv.Table t = ScoresCsv.parse(
        "\uFEFFpath,label,defect,score\r\n\"a,\"\"b\"\"\",1,crack,0.5\r\n", "t");
    assertThat(t.rows()).containsExactly(new ScoresCsv.Row("a,\"b\"", true, "crack", 0.5));
  }

  @Test
  void rejectsMismatchedExtrasBadHeadersAndBadLabels() {
    assertThatThrownBy(() -> ScoresCsv.format(List.of("baseline_score"),
        List.of(new ScoresCsv.Row("a", true, "d", 1))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("extra");
    assertThatThrownBy(() -> ScoresCsv.format(List.of("score"), List.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("repeats");
    assertThatThrownBy(() -> ScoresCsv.parse("path,defect,label,score\n", "t"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("header");
    assertThatThrownBy(() -> ScoresCsv.parse("path,label,defect,score\na,yes,d,1\n", "t"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("label");
    assertThatThrownBy(() -> ScoresCsv.parse("path,label,defect,score\na,1,d\n", "t"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fields");
  }
}
