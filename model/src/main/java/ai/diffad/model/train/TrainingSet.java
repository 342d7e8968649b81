package ai.diffad.model.train;

/**
 * In-memory training items, already scaled to [-1, 1], channel-first. Items may differ in size;
 * the trainer crops them to the network input. One-dimensional data (sensor windows) have height 1.
 * Implementations live where the files are read (denoise); the model never touches files.
 */
public interface TrainingSet {
  /** Number of items. */
  int size();

  /** Channels per item (same for all). */
  int channels();

  /** Height of item {@code i} (1 for series). */
  int height(int i);

  /** Width of item {@code i} (length for series). */
  int width(int i);

  /** Values of item {@code i}, layout (C, H, W), length channels*height*width: images in [-1, 1], sensor windows z-scored per channel. */
  float[] item(int i);

  /** Class label of item {@code i} in 0..numClasses-1, or -1 when the data are unlabelled. */
  default int label(int i) {
    return -1;
  }

  /**
   * Per-channel mean the reader subtracted (sensor series), stored in the model so inference
   * normalises the same way; null when the data need no statistics (images).
   */
  default double[] channelMean() {
    return null;
  }

  /** Per-channel standard deviation the reader divided by, or null; see {@link #channelMean}. */
  default double[] channelStd() {
    return null;
  }

  /** A short description for logs and the artifact's data fingerprint (e.g. the source path). */
  String description();
}
