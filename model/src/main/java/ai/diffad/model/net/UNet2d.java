package ai.diffad.model.net;

import ai.diffad.config.NetworkConfig;

/**
 * The U-Net for images: input x float32 (N, C, H, W), H and W divisible by {@code
 * config.sizeMultiple()}. See {@link UNet} for the layout and the NDList contract.
 */
public final class UNet2d extends UNet {
  /**
   * @param inChannels image channels (DataConfig.channels)
   * @param config the network configuration (its kind is not consulted)
   */
  public UNet2d(int inChannels, NetworkConfig config) {
    super(2, inChannels, config);
  }

  /**
   * A U-Net whose output has its own channel count (a segmentation head: {@code outChannels} 1).
   *
   * @param inChannels input channels
   * @param outChannels output channels
   * @param config the network configuration (its kind is not consulted)
   */
  public UNet2d(int inChannels, int outChannels, NetworkConfig config) {
    super(2, inChannels, outChannels, config);
  }
}
