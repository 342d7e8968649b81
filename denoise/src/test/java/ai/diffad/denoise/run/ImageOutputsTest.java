package ai.diffad.denoise.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ImageOutputsTest {
  @Test
  void filesAreNamedByIdWithoutLeavingTheOutputFolder() {
    assertThat(ImageOutputs.relative("cam3/000123.png")).isEqualTo(Path.of("cam3", "000123.png"));
    assertThat(ImageOutputs.relative("cam3/000123.jpg")).isEqualTo(Path.of("cam3", "000123.png"));
    assertThat(ImageOutputs.relative("../../etc/x")).isEqualTo(Path.of("etc", "x.png"));
    assertThat(ImageOutputs.relative("/abs//a b:c.tif")).isEqualTo(Path.of("abs", "a_b_c.png"));
    assertThat(ImageOutputs.relative("diffad.inputs/0/17")).isEqualTo(Path.of("diffad.inputs", "0", "17.png"));
    assertThat(ImageOutputs.relative("..")).isEqualTo(Path.of("_.png"));
  }
}
