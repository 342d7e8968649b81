package ai.diffad.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * Per-pixel reconstruction error: absolute (L1), squared (L2), SSIM-based (1 - local SSIM), a
 * weighted mix of those, or FEATURE: 1 - cosine similarity of the network's own encoder
 * activations of input and reconstruction (DDAD's feature term without a pretrained extractor),
 * averaged over the chosen levels; or KNN: the distance of each position's encoder activations to
 * the nearest of a bank of activations of normal images (PatchCore with the diffusion network's
 * own encoder; no reconstruction); or SEGMENTATION: the mask probability of the detector's
 * segmentation head on (input, one-step reconstruction), for models trained with a
 * {@code detector} section; or SUM: a weighted sum of other maps, each standardised by the mean
 * and standard deviation of its values on normal images (learned by {@code calibrate --fit-data});
 * or IMPUTATION: for series models trained with an {@code imputation} section, the error of rows
 * hidden from the network and imputed from the others.
 */
public enum MapKind implements Check.Named {
  L1,
  L2,
  SSIM,
  MIX,
  FEATURE,
  KNN,
  SEGMENTATION,
  SUM,
  IMPUTATION;

  /**
   * Whether this is a per-pixel reconstruction error (L1, L2, SSIM, MIX): the kinds with
   * {@link MapConfig.PixelError} settings, and the only ones that work on series.
   */
  public boolean isPixelError() {
    return this == L1 || this == L2 || this == SSIM || this == MIX;
  }

  /** Parses the file spelling, case-insensitively. */
  @JsonCreator
  public static MapKind parse(String text) {
    return Check.named("", MapKind.class, text);
  }

  @JsonValue
  @Override
  public String spelling() {
    return Check.Named.super.spelling();
  }
}
