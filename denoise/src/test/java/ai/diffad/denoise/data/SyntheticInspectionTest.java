package ai.diffad.denoise.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SyntheticInspectionTest {
  @Test
  void aSetHasTheRequestedShareOfDefectsAndIsTheSameForTheSameSeed() {
    List<SyntheticInspection.Sample> a = SyntheticInspection.inspectionSet(80, 64, 0.25, 7);
    List<SyntheticInspection.Sample> b = SyntheticInspection.inspectionSet(80, 64, 0.25, 7);
    List<SyntheticInspection.Sample> c = SyntheticInspection.inspectionSet(80, 64, 0.25, 8);
    assertThat(a).hasSize(80);
    assertThat(a.stream().filter(SyntheticInspection.Sample::defective)).hasSize(20);
    for (int i = 0; i < a.size(); i++) {
      assertThat(a.get(i).index()).isEqualTo(i);
      assertThat(a.get(i).pixels()).isEqualTo(b.get(i).pixels());
      assertThat(a.get(i).defect()).isEqualTo(b.get(i).defect());
    }
    // another seed: other textures and other defect positions
    assertThat(c.get(0).pixels()).isNotEqualTo(a.get(0).pixels());
    assertThat(c.stream().map(SyntheticInspection.Sample::defective).toList())
        .isNotEqualTo(a.stream().map(SyntheticInspection.Sample::defective).toList());
    // the defects are spread over the set, not bunched at its start
    long firstHalf = a.subList(0, 40).stream().filter(SyntheticInspection.Sample::defective).count();
    assertThat(firstHalf).isBetween(4L, 16L);
  }

  @Test
  void everyKindOccursAndAMaskIsTheDefectsPixelsInsideItsBoxAwayFromTheBorder() {
    Set<SyntheticInspection.Defect> kinds = EnumSet.noneOf(SyntheticInspection.Defect.class);
    for (SyntheticInspection.Sample s : SyntheticInspection.inspectionSet(200, 32, 0.5, 3)) {
      assertThat(s.pixels()).hasSize(32 * 32);
      for (float v : s.pixels()) {
        assertThat(v).isBetween(-1f, 1f);
      }
      if (!s.defective()) {
        assertThat(s.mask()).isNull();
        assertThat(s.box()).isNull();
        assertThat(s.defectPixels()).isZero();
        continue;
      }
      kinds.add(s.defect());
      SyntheticInspection.Box box = s.box();
      assertThat(s.defectPixels()).as("6-8 px across").isBetween(12, 60);
      assertThat(Math.max(box.width(), box.height())).isBetween(6, 10);
      assertThat(box.x()).isGreaterThanOrEqualTo(3);
      assertThat(box.y()).isGreaterThanOrEqualTo(3);
      assertThat(box.x() + box.width()).isLessThanOrEqualTo(32 - 3);
      assertThat(box.y() + box.height()).isLessThanOrEqualTo(32 - 3);
      float value = Float.NaN;
      for (int y = 0; y < 32; y++) {
        for (int x = 0; x < 32; x++) {
          if (s.mask()[y * 32 + x]) {
            assertThat(box.contains(x, y)).isTrue();
            float v = s.pixels()[y * 32 + x];
            assertThat(Math.abs(v)).isEqualTo(SyntheticInspection.DEFECT_VALUE);
            if (!Float.isNaN(value)) {
              assertThat(v).as("one value per defect").isEqualTo(value);
            }
            value = v;
          }
        }
      }
      if (s.defect() == SyntheticInspection.Defect.BRIGHT_SPOT) {
        assertThat(value).isPositive();
      } else if (s.defect() == SyntheticInspection.Defect.DARK_SPOT) {
        assertThat(value).isNegative();
      }
    }
    assertThat(kinds).containsExactlyInAnyOrder(SyntheticInspection.Defect.values());
  }

  @Test
  void aDefectChangesOnlyTheMaskedPixelsOfTheTextureDrawnFromTheSameGenerator() {
    for (long seed = 0; seed < 20; seed++) {
      float[] texture = SyntheticTextures.texture(48, new SplittableRandom(seed));
      SyntheticInspection.Sample s = SyntheticInspection.defective(0, 48, new SplittableRandom(seed));
      for (int i = 0; i < texture.length; i++) {
        if (!s.mask()[i]) {
          assertThat(s.pixels()[i]).isEqualTo(texture[i]);
        }
      }
      assertThat(SyntheticInspection.boundingBox(s.mask(), 48)).isEqualTo(s.box());
    }
  }

  @Test
  void normalsCarryNoDefectAndBadArgumentsAreRefused() {
    assertThat(SyntheticInspection.normals(10, 24, 1)).hasSize(10).noneMatch(SyntheticInspection.Sample::defective);
    assertThat(SyntheticInspection.inspectionSet(3, 32, 0.1, 1)).filteredOn(SyntheticInspection.Sample::defective)
        .as("a share above 0 gives at least one defect").hasSize(1);
    assertThat(SyntheticInspection.inspectionSet(0, 32, 0.25, 1)).isEmpty();
    assertThatThrownBy(() -> SyntheticInspection.inspectionSet(4, 16, 0.25, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("size");
    assertThatThrownBy(() -> SyntheticInspection.inspectionSet(4, 32, 1.5, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("defectShare");
    assertThat(SyntheticInspection.Defect.parse("bright-spot")).isEqualTo(SyntheticInspection.Defect.BRIGHT_SPOT);
    assertThat(SyntheticInspection.Defect.SCRATCH.spelling()).isEqualTo("scratch");
    assertThat(SyntheticInspection.boundingBox(new boolean[9], 3)).isNull();
  }
}
