package ai.diffad.evaluation.metrics;

/**
 * A NAB application profile (the cost matrix of {@code config/profiles.json}).
 *
 * @param name profile name as NAB prints it
 * @param tpWeight A_TP, weight of a detected window
 * @param fpWeight A_FP, weight of a false positive
 * @param fnWeight A_FN, cost of a missed window
 */
public record NabProfile(String name, double tpWeight, double fpWeight, double fnWeight) {
  /** NAB's standard profile: A_TP 1.0, A_FP 0.11, A_FN 1.0. */
  public static final NabProfile STANDARD = new NabProfile("standard", 1.0, 0.11, 1.0);
  /** NAB's reward_low_FP_rate profile: A_FP 0.22. */
  public static final NabProfile REWARD_LOW_FP =
      new NabProfile("reward_low_FP_rate", 1.0, 0.22, 1.0);
  /** NAB's reward_low_FN_rate profile: A_FN 2.0. */
  public static final NabProfile REWARD_LOW_FN =
      new NabProfile("reward_low_FN_rate", 1.0, 0.11, 2.0);
}
