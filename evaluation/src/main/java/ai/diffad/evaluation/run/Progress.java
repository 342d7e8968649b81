package ai.diffad.evaluation.run;

/** Told as a long evaluation advances; the command line turns it into a progress bar. */
@FunctionalInterface
public interface Progress {
  /** Does nothing. */
  Progress NONE = (phase, done, total) -> {};

  /**
   * @param phase what is being done, e.g. "scoring test images"
   * @param done units done in this phase
   * @param total units in this phase
   */
  void advanced(String phase, long done, long total);
}
