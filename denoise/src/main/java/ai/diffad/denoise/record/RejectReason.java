package ai.diffad.denoise.record;

/** Why an input could not be processed. Every rejected input gets exactly one reason. */
public enum RejectReason {
  /** The bytes are not a PNG, JPEG, BMP or TIFF image, or the image is damaged (truncated). */
  DECODE_FAILED,
  /** The header declares more pixels (or values) than the configured cap allows. */
  TOO_LARGE,
  /** Rank, channel count or size that the model cannot take (e.g. a 3-D .npy for a series). */
  UNSUPPORTED_SHAPE,
  /** NaN or infinite values in a sensor input. */
  NON_FINITE_VALUES,
  /** A series shorter than one window. */
  TOO_SHORT,
  /** A CSV whose rows do not all have the same number of columns, or with non-numeric values. */
  MALFORMED,
  /** An empty (zero-byte) input. */
  EMPTY,
  /** The input could not be read (missing file, permission). */
  UNREADABLE,
  /** Processing failed for this input for a reason not listed above (the detail says which). */
  PROCESSING_FAILED
}
