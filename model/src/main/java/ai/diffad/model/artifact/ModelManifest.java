package ai.diffad.model.artifact;

import ai.diffad.config.DataFormat;
import ai.diffad.config.DiffadConfig;
import java.util.Map;
import java.util.TreeMap;

/**
 * The contents of {@code model.json}: everything needed to rebuild and trust a trained model.
 *
 * <p>Format 2 (this code) lists one or more named {@code networks} (the diffusion {@value
 * #DENOISER} and, for example, a segmentation head) and, in {@code files}, the SHA-256 of every file
 * the model consists of: each network's weights and any state a map learned from normal data (the
 * k-NN feature bank). Format 1 (one network in {@code weights.params}) is still read: it is the
 * same as format 2 with the denoiser alone.
 *
 * @param formatVersion artifact format; {@value #FORMAT_VERSION} is written, 1 and 2 are read
 * @param name model name (from the configuration)
 * @param config the full profile the model was trained with: architecture, schedule, prediction
 *     type, data specification
 * @param input what the network expects as input
 * @param training where the weights came from
 * @param networks the networks by name; {@value #DENOISER} is always there
 * @param files SHA-256 (lower-case hex) of every file of the model (weights and learned state), by
 *     file name relative to the artifact directory; verified on load
 * @param backbones the pretrained backbone each file of learned state was built with (its name,
 *     layers, input size, normalisation and the SHA-256 of its weights), by file name; a file whose
 *     backbone is listed is only served with that backbone
 */
public record ModelManifest(
    int formatVersion,
    String name,
    DiffadConfig config,
    InputSpec input,
    TrainingInfo training,
    Map<String, NetworkSpec> networks,
    Map<String, String> files,
    @com.fasterxml.jackson.annotation.JsonInclude(
        com.fasterxml.jackson.annotation.JsonInclude.Include.NON_EMPTY)
    Map<String, String> backbones) {

  /** The artifact format version written by this code. */
  public static final int FORMAT_VERSION = 2;
  /** The oldest format version this code reads. */
  public static final int OLDEST_FORMAT_VERSION = 1;
  /** Name of the diffusion network, present in every model. */
  public static final String DENOISER = "denoiser";
  /** Name of the detector's segmentation head (inputs concat(x, reconstruction), mask logits out). */
  public static final String SEGMENTER = "segmenter";

  /** Keeps the maps sorted so that {@code model.json} is stable. */
  public ModelManifest {
    files = files == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(files));
    networks = networks == null ? Map.of()
        : java.util.Collections.unmodifiableMap(new TreeMap<>(networks));
    backbones = backbones == null ? Map.of()
        : java.util.Collections.unmodifiableMap(new TreeMap<>(backbones));
  }

  /** A manifest without backbones. */
  public ModelManifest(int formatVersion, String name, DiffadConfig config, InputSpec input,
      TrainingInfo training, Map<String, NetworkSpec> networks, Map<String, String> files) {
    this(formatVersion, name, config, input, training, networks, files, null);
  }

  /** A manifest of the given networks. */
  public static ModelManifest of(String name, DiffadConfig config, InputSpec input,
      TrainingInfo training, Map<String, NetworkSpec> networks, Map<String, String> files) {
    return new ModelManifest(FORMAT_VERSION, name, config, input, training, networks, files);
  }

  /** The same manifest with {@code file} (relative) at {@code sha256} added or replaced. */
  public ModelManifest withFile(String file, String sha256) {
    Map<String, String> f = new TreeMap<>(files);
    f.put(file, sha256);
    return new ModelManifest(formatVersion, name, config, input, training, networks, f, backbones);
  }

  /** The same manifest recording that {@code file} was built with {@code backbone}. */
  public ModelManifest withBackbone(String file, String backbone) {
    Map<String, String> b = new TreeMap<>(backbones);
    b.put(file, backbone);
    return new ModelManifest(formatVersion, name, config, input, training, networks, files, b);
  }

  /** Whether the model takes series (sensor windows, {@link Layout#NCL}) rather than images. */
  @com.fasterxml.jackson.annotation.JsonIgnore
  public boolean isSeries() {
    return input.isSeries();
  }

  /** Tensor layout of the network input. */
  public enum Layout {
    /** Images: (N, C, H, W). */
    NCHW,
    /** Series: (N, C, L). */
    NCL
  }

  /** The diffusion network's entry. */
  public NetworkSpec denoiser() {
    NetworkSpec d = networks.get(DENOISER);
    if (d == null) {
      throw new IllegalStateException("model " + name + " lists no " + DENOISER + " network");
    }
    return d;
  }

  /**
   * The model's identity in result records: the denoiser's weight SHA-256 when the model is that
   * one file (as in format 1, so records of existing models keep their value); otherwise the
   * SHA-256 of the sorted {@code file:sha256} lines of all its files.
   */
  public String fingerprint() {
    if (files.size() == 1 && networks.size() == 1) {
      return files.get(denoiser().file());
    }
    StringBuilder b = new StringBuilder();
    files.forEach((k, v) -> b.append(k).append(':').append(v).append('\n'));
    return BlockWeights.sha256(b.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /**
   * The network input.
   *
   * @param layout {@code NCHW} for images, {@code NCL} for sensor windows
   * @param channels channels (gray 1, RGB 3, or sensor dimensions)
   * @param size crop side (images) or window length (sensors) used in training; the network is
   *     fully convolutional, other multiples of the network's size multiple also work
   * @param valueMin smallest input value (-1)
   * @param valueMax largest input value (1)
   * @param normalisation how raw values are mapped into [valueMin, valueMax]
   * @param channelMean per-channel mean of the training data (sensor series), or null
   * @param channelStd per-channel standard deviation of the training data, or null
   */
  public record InputSpec(
      Layout layout, int channels, int size, double valueMin, double valueMax,
      String normalisation, double[] channelMean, double[] channelStd) {

    /**
     * How a NAB-format model (data.format nab) expects its input: every series normalised by the
     * mean and standard deviation of its own probationary part; the stored channelMean 0 and
     * channelStd 1 then leave the values as they are.
     */
    public static final String NAB_NORMALISATION =
        "per series: (x - mean) / std of the series' probationary part (first 15 %, <= 750 rows)";

    /** Whether the input is a series ({@link Layout#NCL}). */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isSeries() {
      return layout == Layout.NCL;
    }

    /** The input specification of a configuration, with the training data's statistics. */
    public static InputSpec of(DiffadConfig config, double[] channelMean, double[] channelStd) {
      InputSpec base = of(config);
      if (channelMean == null) {
        return base;
      }
      return new InputSpec(base.layout(), base.channels(), base.size(), base.valueMin(),
          base.valueMax(), base.normalisation(), channelMean.clone(), channelStd.clone());
    }

    /** The input specification of a configuration. */
    public static InputSpec of(DiffadConfig config) {
      boolean sensor = config.data().format().isSeries();
      return new InputSpec(
          sensor ? Layout.NCL : Layout.NCHW,
          config.data().channels(),
          config.data().size(),
          -1.0,
          1.0,
          config.data().format() == DataFormat.NAB ? NAB_NORMALISATION
              : sensor ? "(x - channelMean) / channelStd" : "x / max * 2 - 1",
          null,
          null);
    }
  }

  /**
   * Provenance of the weights.
   *
   * @param dataFingerprint SHA-256 over the training data content (see the trainer's
   *     {@code DataFingerprint}): item count, channels, and per item height, width, label and the
   *     float32 values; independent of where the data were read from
   * @param dataDescription the training set's own description (for example its path)
   * @param items number of training items
   * @param steps optimisation steps taken
   * @param seed training seed
   * @param createdAt ISO-8601 instant the artifact was written
   */
  public record TrainingInfo(
      String dataFingerprint,
      String dataDescription,
      int items,
      int steps,
      long seed,
      String createdAt) {}
}
