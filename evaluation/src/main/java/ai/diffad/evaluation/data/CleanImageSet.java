package ai.diffad.evaluation.data;

import ai.diffad.denoise.io.Images;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A folder of clean test images (Set12, BSD68, CBSD68, Kodak24) for denoising benchmarks, and
 * additive white Gaussian noise at a sigma on the 0–255 scale.
 *
 * <p>Images are planar floats in [-1, 1] ({@link Images#read}), so sigma s on 0–255 is
 * 2·s/255 here. The noise is not clipped by default and not quantised, as in the DnCNN/DRUNet
 * papers; {@link #noisy(int, double, long, boolean)} with {@code clip} clips to [-1, 1] (as a saved
 * 8-bit noisy image would be, minus rounding). The noise of an image depends only on the seed, its
 * file name and the sigma, so subsets and reorderings see the same noise.
 */
public final class CleanImageSet {
  /**
   * One clean image.
   *
   * @param name file name
   * @param image planar (C, H, W) floats in [-1, 1]
   */
  public record CleanImage(String name, Images.Planar image) {}

  private final Path dir;
  private final List<CleanImage> images;

  private CleanImageSet(Path dir, List<CleanImage> images) {
    this.dir = dir;
    this.images = List.copyOf(images);
  }

  /**
   * Loads every image of {@code dir} in name order.
   *
   * @param channels 1 (gray; colour files are converted) or 3 (RGB)
   */
  public static CleanImageSet open(Path dir, int channels) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new IOException(dir + " is not a folder of images");
    }
    List<CleanImage> out = new ArrayList<>();
    for (Path p : MvtecDataset.images(dir)) {
      out.add(new CleanImage(p.getFileName().toString(), Images.read(p, channels, 0)));
    }
    if (out.isEmpty()) {
      throw new IOException(dir + " holds no images");
    }
    return new CleanImageSet(dir, out);
  }

  /** The folder. */
  public Path dir() {
    return dir;
  }

  /** The images in name order. */
  public List<CleanImage> images() {
    return images;
  }

  /** Image {@code index} plus unclipped Gaussian noise of {@code sigma255} (0–255 scale). */
  public float[] noisy(int index, double sigma255, long seed) {
    return noisy(index, sigma255, seed, false);
  }

  /** Image {@code index} plus Gaussian noise, clipped to [-1, 1] if {@code clip}. */
  public float[] noisy(int index, double sigma255, long seed, boolean clip) {
    CleanImage img = images.get(index);
    return addNoise(img.image().data(), sigma255, noiseSeed(seed, img.name(), sigma255), clip);
  }

  /**
   * Adds N(0, (2·sigma255/255)²) to every value of {@code clean} (in [-1, 1]) with
   * {@code java.util.Random(seed).nextGaussian()}, whose sequence the Java spec fixes.
   */
  public static float[] addNoise(float[] clean, double sigma255, long seed, boolean clip) {
    if (!(sigma255 >= 0)) {
      throw new IllegalArgumentException("sigma must be >= 0 (0-255 scale), got " + sigma255);
    }
    double sigma = 2.0 * sigma255 / 255.0;
    Random rnd = new Random(seed);
    float[] out = new float[clean.length];
    for (int i = 0; i < clean.length; i++) {
      double v = clean[i] + sigma * rnd.nextGaussian();
      if (clip) {
        v = Math.max(-1.0, Math.min(1.0, v));
      }
      out[i] = (float) v;
    }
    return out;
  }

  /** Mixes the run seed, the file name and the sigma (SplitMix64 finaliser). */
  static long noiseSeed(long seed, String name, double sigma255) {
    long z = seed ^ (name.hashCode() * 0x9E3779B97F4A7C15L)
        ^ (Double.doubleToLongBits(sigma255) * 0xBF58476D1CE4E5B9L);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
