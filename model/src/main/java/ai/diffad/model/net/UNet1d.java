package ai.diffad.model.net;

import ai.diffad.config.NetworkConfig;

/**
 * The U-Net for sensor windows: input x float32 (N, C, L), C = sensor dimensions, L divisible by
 * {@code config.sizeMultiple()}; kernels are 3 (and 1) wide. See {@link UNet} for the layout and
 * the NDList contract.
 */
public final class UNet1d extends UNet {
  /**
   * @param inChannels sensor dimensions (DataConfig.channels)
   * @param config the network configuration (its kind is not consulted)
   */
  public UNet1d(int inChannels, NetworkConfig config) {
    super(1, inChannels, config);
  }

  /**
   * A U-Net whose output has its own channel count (a segmentation head: {@code outChannels} 1).
   *
   * @param inChannels input channels
   * @param outChannels output channels
   * @param config the network configuration (its kind is not consulted)
   */
  public UNet1d(int inChannels, int outChannels, NetworkConfig config) {
    super(1, inChannels, outChannels, config);
  }
}
