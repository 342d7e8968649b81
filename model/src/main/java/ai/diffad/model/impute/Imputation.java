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
 * the clean visible rows and the mask, 2C + 1 channels (3C when the mask is per channel, for a
 * model trained with sensor masks or with context channels, which are never hidden). Training and
 * scoring build it here only.
 */
public final class Imputation {
  private Imputation() {}

  /**
   * The network input of a batch.
   *
   * @param xt the noised windows (N, C, L)
   * @param clean the clean windows (N, C, L); only their visible rows are read
   * @param mask (N, 1, L) or, with a mask per channel, (N, C, L); 1 where hidden
   * @return (N, 2C + 1, L) or (N, 3C, L), in xt's manager
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
   * Writes a training mask of {@code maskChannels} x {@code length} values (channel-major) at
   * {@code out[off..]}: a kind drawn uniformly from {@code config.masks()}, then that kind's mask
   * (grating: a random one of the two phases; random: each row hidden with probability ratio, at
   * least one; sensor: one random value channel, every row). A row mask is the same on every
   * value channel; the channels from {@code valueChannels} on (context channels) are never hidden.
   *
   * @param maskChannels {@link ai.diffad.config.DiffadConfig#maskChannels}: 1, or C
   * @param valueChannels the channels that may be hidden (data.valueChannels); with one mask
   *     channel that channel stands for all of them
   */
  public static void trainingMask(ImputationConfig config, int maskChannels, int valueChannels,
      int length, SplittableRandom rng, float[] out, int off) {
    List<MaskKind> kinds = config.masks();
    MaskKind kind = kinds.get(rng.nextInt(kinds.size()));
    Arrays.fill(out, off, off + maskChannels * length, 0f);
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
      case SENSOR -> {
        if (maskChannels < 2 || valueChannels < 2) {
          throw new IllegalArgumentException("mask sensor needs a mask per channel and 2 or more"
              + " value channels, got " + maskChannels + " mask channel(s) and " + valueChannels
              + " value channel(s)");
        }
        int ch = rng.nextInt(valueChannels);
        Arrays.fill(out, off + ch * length, off + (ch + 1) * length, 1f);
        return;
      }
      default -> throw new IllegalStateException("mask " + kind);
    }
    spread(out, off, maskChannels, valueChannels, length);
  }

  /**
   * {@link #trainingMask(ImputationConfig, int, int, int, SplittableRandom, float[], int)} of one
   * row mask.
   */
  public static void trainingMask(ImputationConfig config, int length, SplittableRandom rng,
      float[] out, int off) {
    trainingMask(config, 1, 1, length, rng, out, off);
  }

  /** Copies the row mask in channel 0 to the other value channels of a per-channel mask. */
  private static void spread(float[] out, int off, int maskChannels, int valueChannels,
      int length) {
    if (maskChannels == 1) {
      return;
    }
    if (valueChannels < 1 || valueChannels > maskChannels) {
      throw new IllegalArgumentException(valueChannels + " value channels of " + maskChannels
          + " mask channels");
    }
    for (int ch = 1; ch < valueChannels; ch++) {
      System.arraycopy(out, off, out, off + ch * length, length);
    }
  }

  /**
   * The masks a window of {@code valueChannels} value channels (and {@code maskChannels -
   * valueChannels} context channels after them) x {@code length} rows is scored with, one per pass
   * ({@link MapConfig.Imputation#passes(int)} of the value channels), each of {@code maskChannels}
   * x {@code length} values (channel-major; a row mask is the same on every value channel, and no
   * mask hides a context channel); the passes of grating, random and sensor partition the values,
   * so each is imputed exactly once; last hides the last {@code lastRows} rows. Random draws its
   * partition from {@code key}.
   *
   * @param maskChannels 1, or C for a model with a mask per channel ({@link
   *     ai.diffad.config.DiffadConfig#maskChannels})
   * @throws IllegalArgumentException if the mask does not fit the window or the model
   */
  public static float[][] scoringMasks(MapConfig.Imputation map, int valueChannels,
      int maskChannels, int length, long key) {
    if (map.mask() == MaskKind.SENSOR) {
      if (maskChannels < valueChannels || valueChannels < 2) {
        throw new IllegalArgumentException("map.mask sensor needs a model trained with sensor"
            + " masks on 2 or more channels (imputation.masks with sensor), this one has "
            + maskChannels + " mask channel(s) for " + valueChannels + " value channel(s)");
      }
      float[][] masks = new float[valueChannels][maskChannels * length];
      for (int ch = 0; ch < valueChannels; ch++) {
        Arrays.fill(masks[ch], ch * length, (ch + 1) * length, 1f);
      }
      return masks;
    }
    float[][] rows = scoringMasks(map, length, key);
    if (maskChannels == 1) {
      return rows;
    }
    float[][] masks = new float[rows.length][maskChannels * length];
    for (int p = 0; p < rows.length; p++) {
      System.arraycopy(rows[p], 0, masks[p], 0, length);
      spread(masks[p], 0, maskChannels, valueChannels, length);
    }
    return masks;
  }

  /**
   * The row masks a window of {@code length} rows is scored with, one per pass; as {@link
   * #scoringMasks(MapConfig.Imputation, int, int, int, long)} with one mask channel, for the row
   * masks (last, grating, random).
   *
   * @throws IllegalArgumentException if the mask does not fit the window, or is sensor
   */
  public static float[][] scoringMasks(MapConfig.Imputation map, int length, long key) {
    int passes = map.passes(1);
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
      case SENSOR -> throw new IllegalArgumentException("map.mask sensor hides sensors, not rows:"
          + " it needs the window's channels");
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
