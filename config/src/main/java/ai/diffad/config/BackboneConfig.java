package ai.diffad.config;

import java.util.List;
import java.util.Locale;

/**
 * A pretrained feature extractor for the {@code feature} and {@code knn} maps, in place of the
 * diffusion network's own encoder. In a file: {@code backbone: {name: mobilenet_v2, layers:
 * [block_5_add, block_9_add], size: 224}}.
 *
 * @param name a packaged backbone ({@code mobilenet_v2} or {@code inception_v3}, ImageNet weights
 *     from the npm package nsfwjs 4.4.0, fetched once by {@code diffad fetch-backbone}) or the path
 *     of a file a user brings: a TF.js layers {@code model.json}, a TorchScript file ({@code .pt},
 *     {@code .pth}, {@code .torchscript}) whose forward returns the chosen feature maps, or an ONNX
 *     file ({@code .onnx}, run by ONNX Runtime) whose graph outputs are the feature maps
 * @param layers the layers whose activations are used, finest first (packaged defaults: MobileNetV2
 *     {@code block_5_add, block_9_add}, InceptionV3 {@code mixed2, mixed5}); for a TorchScript or
 *     ONNX file, the indices of its outputs ({@code "0"}, {@code "1"}, ...; ONNX also by name)
 * @param size the side the input tile is resized to before the backbone (default 224, InceptionV3
 *     299)
 * @param normalize how the backbone expects its RGB input: {@code keras} ([-1, 1], Keras's
 *     MobileNetV2 and InceptionV3; the default for packaged and TF.js backbones) or {@code imagenet}
 *     ([0, 1] minus ImageNet's mean over its std, torchvision's; the default for TorchScript and
 *     ONNX files)
 */
public record BackboneConfig(String name, List<String> layers, Integer size, String normalize) {
  /** The packaged backbones. */
  public static final List<String> PACKAGED = List.of("mobilenet_v2", "inception_v3");
  /** The input normalisations. */
  public static final List<String> NORMALIZATIONS = List.of("keras", "imagenet");

  /** Validates and fills defaults. */
  public BackboneConfig {
    if (name == null || name.isBlank()) {
      throw new ConfigException("backbone.name", "is required: one of " + PACKAGED
          + " or the path of a model.json, TorchScript or ONNX file");
    }
    boolean packaged = PACKAGED.contains(name.toLowerCase(Locale.ROOT));
    if (packaged) {
      name = name.toLowerCase(Locale.ROOT);
    }
    boolean inception = name.equals("inception_v3");
    layers = layers == null || layers.isEmpty()
        ? (inception ? List.of("mixed2", "mixed5") : packaged
            ? List.of("block_5_add", "block_9_add") : List.of("0"))
        : List.copyOf(layers);
    for (int i = 0; i < layers.size(); i++) {
      if (layers.get(i) == null || layers.get(i).isBlank()) {
        throw new ConfigException("backbone.layers[" + i + "]", "must name a layer");
      }
    }
    size = size == null ? (inception ? 299 : 224) : size;
    Check.inRange("backbone.size", size, 32, 2048);
    boolean torch = isTorchScript(name) || isOnnx(name);
    normalize = normalize == null ? (torch ? "imagenet" : "keras")
        : normalize.toLowerCase(Locale.ROOT);
    if (!NORMALIZATIONS.contains(normalize)) {
      throw new ConfigException("backbone.normalize", "must be one of " + NORMALIZATIONS + ", got '"
          + normalize + "'");
    }
  }

  /** A packaged backbone with its default layers and size. */
  public static BackboneConfig of(String name) {
    return new BackboneConfig(name, null, null, null);
  }

  /** Whether {@link #name()} is one of the packaged backbones. */
  @com.fasterxml.jackson.annotation.JsonIgnore
  public boolean isPackaged() {
    return PACKAGED.contains(name);
  }

  /** Whether a backbone name is a TorchScript file. */
  public static boolean isTorchScript(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return n.endsWith(".pt") || n.endsWith(".pth") || n.endsWith(".torchscript");
  }

  /** Whether a backbone name is an ONNX file ({@code .onnx}). */
  public static boolean isOnnx(String name) {
    return name.toLowerCase(Locale.ROOT).endsWith(".onnx");
  }

  /** How the bank's header and the records name this backbone's settings. */
  public String describe() {
    return name + layers.toString().replace(" ", "") + "@" + size + "/" + normalize;
  }
}
