package ai.diffad.denoise.engine;

import static org.bytedeco.opencv.global.opencv_core.CV_32FC1;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_CUBIC;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import java.nio.FloatBuffer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * Resizing of planar float images with OpenCV, plane by plane. Every native object is closed
 * before returning.
 */
public final class Resampling {
  private Resampling() {}

  /**
   * The size an image of {@code h x w} has after training's resize: shorter side {@code shorter}
   * (the same rounding as {@code Images.decode}); unchanged when {@code shorter} is 0.
   *
   * @return {height, width}
   */
  public static int[] shorterSide(int h, int w, int shorter) {
    if (shorter <= 0 || Math.min(h, w) == shorter) {
      return new int[] {h, w};
    }
    double s = shorter / (double) Math.min(h, w);
    return new int[] {Math.max(1, (int) Math.round(h * s)), Math.max(1, (int) Math.round(w * s))};
  }

  /**
   * Resizes the way training did ({@code Images.decode}): area averaging to shrink, bicubic to
   * grow.
   */
  public static float[] likeTraining(float[] planar, int c, int h, int w, int nh, int nw) {
    boolean shrink = (long) nh * nw < (long) h * w;
    return resizePlanar(planar, c, h, w, nh, nw, shrink ? INTER_AREA : INTER_CUBIC);
  }

  /** Bilinear resize, for maps and reconstructions going back to the input size (no overshoot). */
  public static float[] bilinear(float[] planar, int c, int h, int w, int nh, int nw) {
    return resizePlanar(planar, c, h, w, nh, nw, INTER_LINEAR);
  }

  private static float[] resizePlanar(float[] planar, int c, int h, int w, int nh, int nw,
      int interpolation) {
    if (nh == h && nw == w) {
      return planar.clone();
    }
    float[] out = new float[c * nh * nw];
    try (Size size = new Size(nw, nh)) {
      for (int k = 0; k < c; k++) {
        try (Mat src = new Mat(h, w, CV_32FC1);
            Mat dst = new Mat()) {
          FloatBuffer in = src.createBuffer();
          in.put(planar, k * h * w, h * w);
          resize(src, dst, size, 0, 0, interpolation);
          FloatBuffer res = dst.createBuffer();
          res.get(out, k * nh * nw, nh * nw);
        }
      }
    }
    return out;
  }
}
