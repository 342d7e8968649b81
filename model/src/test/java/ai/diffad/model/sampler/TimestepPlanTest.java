package ai.diffad.model.sampler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.diffad.config.TimestepSpacing;
import org.junit.jupiter.api.Test;

/** Expected plans computed with diffusers' formulas in numpy (steps_offset = 0). */
class TimestepPlanTest {

  @Test
  void fullRunPlansMatchDiffusersForTenSteps() {
    assertThat(TimestepPlan.of(TimestepSpacing.LEADING, 1000, 10, 999).timesteps())
        .containsExactly(900, 800, 700, 600, 500, 400, 300, 200, 100, 0);
    assertThat(TimestepPlan.of(TimestepSpacing.TRAILING, 1000, 10, 999).timesteps())
        .containsExactly(999, 899, 799, 699, 599, 499, 399, 299, 199, 99);
    assertThat(TimestepPlan.of(TimestepSpacing.LINSPACE, 1000, 10, 999).timesteps())
        .containsExactly(999, 888, 777, 666, 555, 444, 333, 222, 111, 0);
  }

  @Test
  void fullRunPlansMatchDiffusersForSevenSteps() {
    assertThat(TimestepPlan.of(TimestepSpacing.LEADING, 1000, 7, 999).timesteps())
        .containsExactly(852, 710, 568, 426, 284, 142, 0);
    assertThat(TimestepPlan.of(TimestepSpacing.TRAILING, 1000, 7, 999).timesteps())
        .containsExactly(999, 856, 713, 570, 428, 285, 142);
    assertThat(TimestepPlan.of(TimestepSpacing.LINSPACE, 1000, 7, 999).timesteps())
        .containsExactly(999, 832, 666, 500, 333, 166, 0);
  }

  @Test
  void fiftyStepTrailingPlanMatchesDiffusersAtBothEnds() {
    int[] t = TimestepPlan.of(TimestepSpacing.TRAILING, 1000, 50, 999).timesteps();

    assertThat(t).hasSize(50).startsWith(999, 979, 959).endsWith(59, 39, 19);
  }

  @Test
  void partialPlansSpanZeroToTStartAndLinspaceRoundsHalfToEven() {
    assertThat(TimestepPlan.of(TimestepSpacing.TRAILING, 1000, 5, 250).timesteps())
        .containsExactly(250, 200, 150, 99, 49);
    assertThat(TimestepPlan.of(TimestepSpacing.LINSPACE, 1000, 5, 250).timesteps())
        .containsExactly(250, 188, 125, 62, 0);
    assertThat(TimestepPlan.of(TimestepSpacing.LEADING, 1000, 5, 250).timesteps())
        .containsExactly(200, 150, 100, 50, 0);
  }

  @Test
  void eachStepPointsToTheNextAndTheLastToTheCleanSample() {
    TimestepPlan plan = TimestepPlan.of(TimestepSpacing.TRAILING, 1000, 3, 999);

    assertThat(plan.size()).isEqualTo(3);
    assertThat(plan.t(0)).isEqualTo(999);
    assertThat(plan.prev(0)).isEqualTo(666);
    assertThat(plan.prev(1)).isEqualTo(332);
    assertThat(plan.prev(2)).isEqualTo(-1);
    assertThat(plan.tStart()).isEqualTo(999);
  }

  @Test
  void singleStepAndEveryStepPlansStartAtTStart() {
    for (TimestepSpacing s : new TimestepSpacing[] {TimestepSpacing.TRAILING, TimestepSpacing.LINSPACE}) {
      assertThat(TimestepPlan.of(s, 1000, 1, 60).timesteps()).containsExactly(60);
    }
    for (TimestepSpacing s : TimestepSpacing.values()) {
      int[] all = TimestepPlan.of(s, 100, 100, 99).timesteps();
      assertThat(all).hasSize(100).startsWith(99, 98).endsWith(1, 0);
    }
  }

  @Test
  void plansAreImmutable() {
    TimestepPlan plan = TimestepPlan.of(TimestepSpacing.TRAILING, 1000, 3, 999);
    plan.timesteps()[0] = 5;

    assertThat(plan.t(0)).isEqualTo(999);
  }

  @Test
  void invalidStepCountsAndStartsAreRefusedWithTheAllowedRange() {
    assertThatThrownBy(() -> TimestepPlan.of(TimestepSpacing.LEADING, 1000, 0, 999))
        .hasMessageContaining("numSteps must be in [1, tStart + 1 = 1000], got 0");
    assertThatThrownBy(() -> TimestepPlan.of(TimestepSpacing.LEADING, 1000, 52, 50))
        .hasMessageContaining("got 52");
    assertThatThrownBy(() -> TimestepPlan.of(TimestepSpacing.LEADING, 1000, 5, 1000))
        .hasMessageContaining("tStart must be in [0, 999], got 1000");
  }
}
