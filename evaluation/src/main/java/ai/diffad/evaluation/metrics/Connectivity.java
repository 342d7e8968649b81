package ai.diffad.evaluation.metrics;

/** Pixel neighbourhood for connected regions. */
public enum Connectivity {
  /** Edge neighbours only (scipy.ndimage.label's default structure). */
  FOUR,
  /** Edge and corner neighbours (MVTec's evaluation code and anomalib use this). */
  EIGHT
}
