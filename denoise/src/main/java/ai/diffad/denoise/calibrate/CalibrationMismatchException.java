package ai.diffad.denoise.calibrate;

import java.util.List;

/**
 * A calibration was made with engine settings other than the current ones, so its threshold and
 * normalisation do not apply. The message names each differing setting.
 */
public final class CalibrationMismatchException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final List<String> differences;

  /** @param differences one entry per differing setting, {@code "name: calibrated with A, now B"} */
  public CalibrationMismatchException(List<String> differences) {
    super("the calibration was made with other engine settings ("
        + String.join("; ", differences) + "); recalibrate with the current settings or use the"
        + " calibrated ones");
    this.differences = List.copyOf(differences);
  }

  /** The differing settings. */
  public List<String> differences() {
    return differences;
  }
}
