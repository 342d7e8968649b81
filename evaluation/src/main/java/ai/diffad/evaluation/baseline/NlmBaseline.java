package ai.diffad.evaluation.baseline;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC;
import static org.bytedeco.opencv.global.opencv_photo.fastNlMeansDenoising;

import org.bytedeco.opencv.opencv_core.Mat;

/**
 * The classical denoising baseline of ANCHORS.md: OpenCV's {@code fastNlMeansDenoising} (Buades'
 * non-local means with the usual speed-ups) with filter strength {@code h} = the noise sigma on
 * the 0–255 scale, a 7x7 template window and a 21x21 search window (OpenCV's defaults).
 *
 * <p>OpenCV takes 8-bit images only, so the noisy input is clipped to [-1, 1] (0–255) and rounded
 * to 8 bits before it goes in — the protocol of the measured NLM row in ANCHORS.md; the other
 * methods see the unclipped noise. The output is the 8-bit result mapped back to [-1, 1]. All
 * channels of a colour image are filtered jointly (patch distances summed over channels).
 * Stateless; native memory is released before returning.
 */
public final class NlmBaseline {
  /** OpenCV's default template (patch) window side. */
  public static final int TEMPLATE_WINDOW = 7;
  /** OpenCV's default search window side. */
  public static final int SEARCH_WINDOW = 21;

  private final double hPerSigma;
  private final int templateWindow;
  private final int searchWindow;

  /**
   * @param hPerSigma h = hPerSigma * sigma (1 for the ANCHORS protocol)
   * @param templateWindow odd template window side
   * @param searchWindow odd search window side
   */
  public NlmBaseline(double hPerSigma, int templateWindow, int searchWindow) {
    if (!(hPerSigma > 0) || !Double.isFinite(hPerSigma)) {
      throw new IllegalArgumentException("hPerSigma must be > 0, got " + hPerSigma);
    }
    if (templateWindow < 1 || templateWindow % 2 == 0 || searchWindow < 1
        || searchWindow % 2 == 0) {
      throw new IllegalArgumentException("window sides must be odd and >= 1, got template "
          + templateWindow + ", search " + searchWindow);
    }
    this.hPerSigma = hPerSigma;
    this.templateWindow = templateWindow;
    this.searchWindow = searchWindow;
  }

  /** h = sigma, template 7, search 21. */
  public static NlmBaseline defaults() {
    return new NlmBaseline(1.0, TEMPLATE_WINDOW, SEARCH_WINDOW);
  }

  /** The filter strength used at a noise level (0–255 scale). */
  public double h(double sigma255) {
    return hPerSigma * sigma255;
  }

  /** The template window side. */
  public int templateWindow() {
    return templateWindow;
  }

  /** The search window side. */
  public int searchWindow() {
    return searchWindow;
  }

  /**
   * Denoises a planar image.
   *
   * @param noisy planar (C, H, W) values, nominally [-1, 1] (values outside are clipped)
   * @param channels C, 1 to 4
   * @param sigma255 the noise sigma on the 0–255 scale
   * @return planar (C, H, W) values in [-1, 1] on the 8-bit grid (k / 127.5 - 1)
   */
  public float[] denoise(float[] noisy, int channels, int height, int width, double sigma255) {
    if (channels < 1 || channels > 4) {
      throw new IllegalArgumentException("OpenCV NLM takes 1 to 4 channels, got " + channels);
    }
    int hw = height * width;
    if (noisy.length != (long) channels * hw) {
      throw new IllegalArgumentException("image has " + noisy.length + " values, expected "
          + channels + "x" + height + "x" + width);
    }
    byte[] in = new byte[noisy.length];
    for (int i = 0; i < hw; i++) {
      for (int c = 0; c < channels; c++) {
        in[i * channels + c] = (byte) to8Bit(noisy[c * hw + i]);
      }
    }
    byte[] out = new byte[in.length];
    try (Mat src = new Mat(height, width, CV_8UC(channels));
        Mat dst = new Mat()) {
      src.data().put(in);
      fastNlMeansDenoising(src, dst, (float) h(sigma255), templateWindow, searchWindow);
      if (!dst.isContinuous() || dst.total() * dst.channels() != out.length) {
        throw new IllegalStateException("OpenCV NLM returned an unexpected image: "
            + dst.rows() + "x" + dst.cols() + "x" + dst.channels());
      }
      dst.data().get(out);
    }
    float[] planar = new float[out.length];
    for (int i = 0; i < hw; i++) {
      for (int c = 0; c < channels; c++) {
        planar[c * hw + i] = (float) ((out[i * channels + c] & 0xff) / 127.5 - 1.0);
      }
    }
    return planar;
  }

  /** A [-1, 1] value as an 8-bit level: clipped to 0–255 and rounded. */
  public static int to8Bit(float v) {
    double x = (v + 1.0) * 127.5;
    return (int) Math.round(Math.max(0.0, Math.min(255.0, x)));
  }
}
