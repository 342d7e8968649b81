package ai.diffad.model.sampler;

import ai.diffad.config.TimestepSpacing;
import ai.diffad.config.VarianceType;
import java.util.Objects;

/**
 * Settings shared by the samplers; each sampler reads the ones that concern it.
 *
 * @param eta DDIM stochasticity, >= 0: 0 is deterministic DDIM, 1 matches DDPM's variance
 *     (Song et al. 2021, eq. 16)
 * @param spacing how the plan spreads its steps over [0, tStart]
 * @param variance DDPM variance: posterior (fixed-small) or beta_t (fixed-large)
 * @param clip whether predicted x_0 is clipped to [-clipRange, clipRange] (right for images in
 *     [-1, 1]; turn off for unbounded data such as standardised sensor series)
 * @param clipRange bound of the clipping, > 0
 */
public record SamplerOptions(
    double eta, TimestepSpacing spacing, VarianceType variance, boolean clip, double clipRange) {

  /** Validates. */
  public SamplerOptions {
    if (!(eta >= 0) || !Double.isFinite(eta)) {
      throw new IllegalArgumentException("eta must be finite and >= 0, got " + eta);
    }
    Objects.requireNonNull(spacing, "spacing");
    Objects.requireNonNull(variance, "variance");
    if (!(clipRange > 0)) {
      throw new IllegalArgumentException("clipRange must be > 0, got " + clipRange);
    }
  }

  /** Defaults: eta 0, trailing spacing, fixed-small variance, clipping to [-1, 1]. */
  public static SamplerOptions defaults() {
    return builder().build();
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builder of {@link SamplerOptions}; {@link #build()} validates. */
  public static final class Builder {
    private double eta = 0.0;
    private TimestepSpacing spacing = TimestepSpacing.TRAILING;
    private VarianceType variance = VarianceType.FIXED_SMALL;
    private boolean clip = true;
    private double clipRange = 1.0;

    private Builder() {}

    /** DDIM eta, >= 0 (default 0). */
    public Builder optEta(double eta) {
      this.eta = eta;
      return this;
    }

    /** Timestep spacing (default trailing, which starts exactly at tStart). */
    public Builder optSpacing(TimestepSpacing spacing) {
      this.spacing = spacing;
      return this;
    }

    /** DDPM variance (default fixed-small). */
    public Builder optVariance(VarianceType variance) {
      this.variance = variance;
      return this;
    }

    /** Whether to clip predicted x_0 (default true). */
    public Builder optClip(boolean clip) {
      this.clip = clip;
      return this;
    }

    /** Clipping bound (default 1). */
    public Builder optClipRange(double clipRange) {
      this.clipRange = clipRange;
      return this;
    }

    /** The validated options. */
    public SamplerOptions build() {
      return new SamplerOptions(eta, spacing, variance, clip, clipRange);
    }
  }
}
