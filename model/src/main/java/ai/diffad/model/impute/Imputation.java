package ai.diffad.model.impute;

import ai.diffad.config.ImputationConfig;
import ai.diffad.config.MapConfig;
import ai.diffad.config.MaskKind;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The imputer's masks and input (ImDiffusion, Chen et al., VLDB 2024; the conditioning as in
 * CSDI): a mask holds 1 for a hidden row of a window and 0 for a row the network sees. The network
 * input is {@code concat(x_t * m, x_0 * (1 - m), m)} on the channel axis: the noised hidden rows,
 * the clean visible rows and the mask, 2C + 1 channels. Training and scoring build it here only.
 */
public final class Imputation {
  private Imputation() {}

  /**
   * The network input of a batch.
   *
   * @param xt the noised windows (N, C, L)
   * @param clean the clean windows (N, C, L); only their visible rows are read
   * @param mask (N, 1, L), 1 where hidden
   * @return (N, 2C + 1, L), in xt's manager
   */
  public static NDArray input(NDArray xt, NDArray clean, NDArray mask) {
    NDArray hidden = xt.mul(mask);
    NDArray visible = clean.mul(mask.neg().add(1f));
    NDArray in = NDArrays.concat(new NDList(hidden, visible, mask), 1);
    hidden.close();
    visible.close();
    return in;
  }

  /**
   * Writes a training mask of {@code length} rows at {@code out[off..]}: a kind drawn uniformly
   * from {@code config.masks()}, then that kind's mask (grating: a random one of the two phases;
   * random: each row hidden with probability ratio, at least one).
   */
  public static void trainingMask(ImputationConfig config, int length, SplittableRandom rng,
      float[] out, int off) {
    List<MaskKind> kinds = config.masks();
    MaskKind kind = kinds.get(rng.nextInt(kinds.size()));
    Arrays.fill(out, off, off + length, 0f);
    switch (kind) {
      case LAST -> Arrays.fill(out, off + length - config.lastRows(), off + length, 1f);
      case GRATING -> grating(length, config.strips(), rng.nextInt(2), out, off);
      case RANDOM -> {
        int hidden = 0;
        for (int r = 0; r < length; r++) {
          if (rng.nextDouble() < config.ratio()) {
            out[off + r] = 1f;
            hidden++;
          }
        }
        if (hidden == 0) {
          out[off + rng.nextInt(length)] = 1f;
        }
      }
      default -> throw new IllegalStateException("mask " + kind);
    }
  }

  /**
   * The masks a window of {@code length} rows is scored with, one per pass ({@link
   * MapConfig.Imputation#passes()}); the passes of grating and random partition the rows, so
   * each row is imputed exactly once; last hides the last {@code lastRows} rows. Random draws its
   * partition from {@code key}.
   *
   * @throws IllegalArgumentException if the mask does not fit the window
   */
  public static float[][] scoringMasks(MapConfig.Imputation map, int length, long key) {
    int passes = map.passes();
    float[][] masks = new float[passes][length];
    switch (map.mask()) {
      case LAST -> {
        if (map.lastRows() >= length) {
          throw new IllegalArgumentException("map.lastRows " + map.lastRows()
              + " must be below the window length " + length);
        }
        Arrays.fill(masks[0], length - map.lastRows(), length, 1f);
      }
      case GRATING -> {
        if (map.strips() > length) {
          throw new IllegalArgumentException("map.strips " + map.strips()
              + " must be at most the window length " + length);
        }
        grating(length, map.strips(), 0, masks[0], 0);
        grating(length, map.strips(), 1, masks[1], 0);
      }
      case RANDOM -> {
        if (passes > length) {
          throw new IllegalArgumentException("map.ratio " + map.ratio() + " makes " + passes
              + " passes, more than the window's " + length + " rows");
        }
        int[] rows = new int[length];
        for (int r = 0; r < length; r++) {
          rows[r] = r;
        }
        SplittableRandom rng = new SplittableRandom(key);
        for (int r = length - 1; r > 0; r--) {
          int j = rng.nextInt(r + 1);
          int tmp = rows[r];
          rows[r] = rows[j];
          rows[j] = tmp;
        }
        for (int i = 0; i < length; i++) {
          masks[i % passes][rows[i]] = 1f;
        }
      }
      default -> throw new IllegalStateException("mask " + map.mask());
    }
    return masks;
  }

  /**
   * The grating mask of {@code strips} strips of floor(length / strips) rows (the last strip takes
   * the remainder): strip s is hidden when s % 2 == phase.
   */
  static void grating(int length, int strips, int phase, float[] out, int off) {
    int width = Math.max(1, length / strips);
    for (int r = 0; r < length; r++) {
      int strip = Math.min(r / width, strips - 1);
      out[off + r] = strip % 2 == phase ? 1f : 0f;
    }
  }
}
