package ai.diffad.model.sampler;

import ai.diffad.config.TimestepSpacing;
import java.util.Arrays;

/**
 * An immutable, strictly descending list of timesteps a reverse run visits, each paired with the
 * timestep it steps to; the last step goes to -1, the clean sample x_0.
 *
 * <p>Spacings over the span [0, tStart] (S = tStart + 1 positions, n steps, 1 <= n <= S). With
 * tStart = T - 1 they equal diffusers' {@code timestep_spacing} with {@code steps_offset=0}:
 *
 * <ul>
 *   <li>{@code linspace}: {@code round(linspace(0, tStart, n))} reversed, rounding half to even
 *       as numpy does (n = 1 gives [tStart], where numpy would give [0]); starts at tStart;
 *   <li>{@code leading}: {@code (arange(n) * (S / n))} reversed, integer division; the first
 *       timestep is {@code (n - 1) * (S / n)}, which is below tStart unless n divides S. The first
 *       step then treats x_{tStart} as if it were at that timestep, exactly as diffusers does for
 *       a full run ([900, ..., 0] for T = 1000, n = 10). Prefer trailing for partial reverse runs;
 *   <li>{@code trailing}: {@code round(arange(S, 0, -S / n)) - 1}; starts at tStart ([999, 899,
 *       ..., 99] for T = 1000, n = 10).
 * </ul>
 *
 * <p>Unlike diffusers' DDIM, which derives the previous timestep as {@code t - T / n}, the previous
 * timestep here is always the next entry of the plan, so no spacing skips or repeats noise levels.
 */
public final class TimestepPlan {
  private final int[] timesteps;
  private final int tStart;
  private final TimestepSpacing spacing;

  private TimestepPlan(int[] timesteps, int tStart, TimestepSpacing spacing) {
    for (int i = 1; i < timesteps.length; i++) {
      if (timesteps[i] >= timesteps[i - 1]) {
        throw new IllegalStateException("plan not strictly descending: " + Arrays.toString(timesteps));
      }
    }
    this.timesteps = timesteps;
    this.tStart = tStart;
    this.spacing = spacing;
  }

  /**
   * Builds the plan of n steps from tStart down to x_0.
   *
   * @param spacing linspace, leading or trailing
   * @param trainSteps T of the schedule; tStart must be below it
   * @param numSteps n, in [1, tStart + 1]
   * @param tStart the timestep of the sample the run starts from, in [0, T - 1]
   * @return the plan
   */
  public static TimestepPlan of(TimestepSpacing spacing, int trainSteps, int numSteps, int tStart) {
    if (tStart < 0 || tStart >= trainSteps) {
      throw new IllegalArgumentException(
          "tStart must be in [0, " + (trainSteps - 1) + "], got " + tStart);
    }
    int span = tStart + 1;
    if (numSteps < 1 || numSteps > span) {
      throw new IllegalArgumentException(
          "numSteps must be in [1, tStart + 1 = " + span + "], got " + numSteps);
    }
    int[] t = new int[numSteps];
    switch (spacing) {
      case LINSPACE:
        if (numSteps == 1) {
          t[0] = tStart;
        } else {
          double step = tStart / (double) (numSteps - 1);
          for (int i = 0; i < numSteps; i++) {
            double v = i == numSteps - 1 ? tStart : i * step;
            t[numSteps - 1 - i] = (int) Math.rint(v);
          }
        }
        break;
      case LEADING:
        int ratio = span / numSteps;
        for (int i = 0; i < numSteps; i++) {
          t[numSteps - 1 - i] = i * ratio;
        }
        break;
      case TRAILING:
        double r = span / (double) numSteps;
        for (int i = 0; i < numSteps; i++) {
          t[i] = (int) Math.rint(span - i * r) - 1;
        }
        break;
      default:
        throw new IllegalArgumentException("unsupported spacing " + spacing);
    }
    return new TimestepPlan(t, tStart, spacing);
  }

  /** Number of steps (network calls) of the run. */
  public int size() {
    return timesteps.length;
  }

  /** The timestep of step i (0-based, descending). */
  public int t(int i) {
    return timesteps[i];
  }

  /** The timestep step i moves to: the next entry, or -1 (x_0) after the last. */
  public int prev(int i) {
    return i + 1 < timesteps.length ? timesteps[i + 1] : -1;
  }

  /** A copy of the timesteps, descending. */
  public int[] timesteps() {
    return timesteps.clone();
  }

  /** The noise level of the sample the run starts from. */
  public int tStart() {
    return tStart;
  }

  /** The spacing the plan was built with. */
  public TimestepSpacing spacing() {
    return spacing;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TimestepPlan
        && Arrays.equals(timesteps, ((TimestepPlan) o).timesteps)
        && tStart == ((TimestepPlan) o).tStart;
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(timesteps) * 31 + tStart;
  }

  @Override
  public String toString() {
    return "TimestepPlan[" + spacing.spelling() + ", tStart=" + tStart + ", "
        + Arrays.toString(timesteps) + "]";
  }
}
