package ai.diffad.config;

import java.util.List;

/**
 * The denoising network. The number of input channels comes from {@link DataConfig#channels()}.
 *
 * @param kind unet2d (images) or unet1d (sensor windows)
 * @param baseChannels channels of the first level
 * @param channelMultipliers one entry per resolution level: channels = base * multiplier; each
 *     level after the first halves the resolution
 * @param blocksPerLevel residual blocks per level on the way down (one more on the way up)
 * @param attentionLevels zero-based levels that get a self-attention block (empty: none)
 * @param groups GroupNorm groups; must divide every level's channel count
 * @param numClasses 0 for an unconditional model; otherwise labels 0..numClasses-1
 * @param dropout dropout in residual blocks, in [0, 1)
 */
public record NetworkConfig(
    NetworkKind kind,
    Integer baseChannels,
    List<Integer> channelMultipliers,
    Integer blocksPerLevel,
    List<Integer> attentionLevels,
    Integer groups,
    Integer numClasses,
    Double dropout) {

  /** Validates and fills defaults. */
  public NetworkConfig {
    kind = kind == null ? NetworkKind.UNET2D : kind;
    baseChannels = baseChannels == null ? 32 : baseChannels;
    channelMultipliers = channelMultipliers == null ? List.of(1, 2, 2) : List.copyOf(channelMultipliers);
    blocksPerLevel = blocksPerLevel == null ? 1 : blocksPerLevel;
    attentionLevels = Check.list(attentionLevels);
    groups = groups == null ? 8 : groups;
    numClasses = numClasses == null ? 0 : numClasses;
    dropout = dropout == null ? 0.0 : dropout;
    Check.inRange("baseChannels", baseChannels, 1, 4096);
    if (channelMultipliers.isEmpty()) {
      throw new ConfigException("channelMultipliers", "must have at least one level, got []");
    }
    for (int i = 0; i < channelMultipliers.size(); i++) {
      Check.inRange("channelMultipliers[" + i + "]", channelMultipliers.get(i), 1, 64);
    }
    Check.inRange("blocksPerLevel", blocksPerLevel, 1, 16);
    for (int i = 0; i < attentionLevels.size(); i++) {
      Check.inRange(
          "attentionLevels[" + i + "]", attentionLevels.get(i), 0, channelMultipliers.size() - 1);
    }
    Check.inRange("groups", groups, 1, 4096);
    for (int m : channelMultipliers) {
      if ((baseChannels * m) % groups != 0) {
        throw new ConfigException(
            "groups",
            "must divide every level's channels (baseChannels * multiplier = "
                + baseChannels * m + "), got " + groups);
      }
    }
    Check.inRange("numClasses", numClasses, 0, 100_000);
    Check.inHalfOpen("dropout", dropout, 0.0, 1.0);
  }

  /** Number of resolution levels. */
  public int levels() {
    return channelMultipliers.size();
  }

  /** Channels at a level. */
  public int channelsAt(int level) {
    return baseChannels * channelMultipliers.get(level);
  }

  /** The factor by which input sizes must be divisible: 2^(levels-1). */
  public int sizeMultiple() {
    return 1 << (levels() - 1);
  }
}
