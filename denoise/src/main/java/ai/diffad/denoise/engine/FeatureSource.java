package ai.diffad.denoise.engine;

import ai.diffad.config.BackboneConfig;
import ai.diffad.model.artifact.LoadedModel;
import ai.diffad.model.backbone.Backbone;
import ai.diffad.model.backbone.Backbones;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Objects;

/**
 * Where the {@code feature} and {@code knn} maps take their per-position features from: the
 * diffusion network's own encoder at a step t (levels by index), or a pretrained {@link Backbone}
 * (layers by name) that sees the tile resized to its input size, gray replicated to RGB and
 * normalised as it expects. Both mappers take their features through this one interface, so a
 * backbone works with both. Owns the backbone and closes it.
 */
abstract class FeatureSource implements AutoCloseable {
  /**
   * The feature maps of a batch of tiles, one (N, D, H', W') array per level or layer, finest first
   * as configured, in {@code m}.
   *
   * @param x (N, C, H, W) tiles in [-1, 1] (already noised if the source wants noise)
   */
  abstract NDList features(NDManager m, NDArray x);

  /** Whether input and reconstruction are noised to {@code featureT} before the features. */
  abstract boolean noised();

  /** How a bank's file names the settings its vectors were made with. */
  abstract String describe();

  @Override
  public void close() {}

  /** The network's own encoder at step {@code featureT}, levels by index. */
  static FeatureSource encoder(LoadedModel model, int featureT, List<Integer> levels) {
    return new FeatureSource() {
      @Override
      NDList features(NDManager m, NDArray x) {
        long n = x.getShape().get(0);
        NDArray t = m.full(new Shape(n), (float) featureT);
        int classes = model.manifest().config().network().numClasses();
        NDArray labels = classes > 0 ? m.full(new Shape(n), classes).toType(DataType.INT32, false)
            : null;
        NDList all = model.features(x, t, labels);
        NDList out = new NDList();
        for (int l : levels) {
          if (l >= all.size()) {
            throw new IllegalArgumentException("featureLevels: level " + l + " does not exist; the"
                + " network has levels 0.." + (all.size() - 1));
          }
          out.add(all.get(l));
        }
        return out;
      }

      @Override
      boolean noised() {
        return featureT > 0;
      }

      @Override
      String describe() {
        return "featureT=" + featureT + ";featureLevels=" + levels.toString().replace(" ", "");
      }
    };
  }

  /** A pretrained backbone (opened here, closed with the source). */
  static FeatureSource backbone(LoadedModel model, BackboneConfig config) {
    Objects.requireNonNull(config, "config");
    Backbone b = Backbones.open(config, model.manager());
    try {
      List<String> known = b.layers();
      for (String l : config.layers()) {
        if (!known.contains(l)) {
          throw new ai.diffad.config.ConfigException("backbone.layers", "backbone "
              + config.name() + " has no layer '" + l + "'" + (known.size() <= 16 ? "; it has "
              + known : "; e.g. " + known.subList(Math.max(0, known.size() / 4), known.size() / 4
              + 8)));
        }
      }
    } catch (RuntimeException e) {
      b.close();
      throw e;
    }
    return new BackboneSource(b, config);
  }

  /** The source of a map's settings: the backbone if one is named, else the encoder. */
  static FeatureSource of(LoadedModel model, int featureT, List<Integer> levels,
      BackboneConfig backbone) {
    return backbone != null ? backbone(model, backbone) : encoder(model, featureT, levels);
  }

  private static final class BackboneSource extends FeatureSource {
    private static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};
    private static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};
    private final Backbone backbone;
    private final BackboneConfig config;

    BackboneSource(Backbone backbone, BackboneConfig config) {
      this.backbone = backbone;
      this.config = config;
    }

    @Override
    NDList features(NDManager m, NDArray x) {
      Shape s = x.getShape();
      int n = (int) s.get(0);
      int c = (int) s.get(1);
      int h = (int) s.get(2);
      int w = (int) s.get(3);
      if (c != 1 && c != 3) {
        throw new IllegalArgumentException("backbone " + config.name() + " takes gray or RGB"
            + " images, these have " + c + " channels");
      }
      int size = config.size();
      float[] in = x.toFloatArray();
      float[] rgb = new float[n * 3 * size * size];
      int plane = size * size;
      boolean imagenet = config.normalize().equals("imagenet");
      for (int i = 0; i < n; i++) {
        float[] one = new float[c * h * w];
        System.arraycopy(in, i * c * h * w, one, 0, one.length);
        float[] r = h == size && w == size ? one : Resampling.bilinear(one, c, h, w, size, size);
        for (int k = 0; k < 3; k++) {
          int from = (c == 1 ? 0 : k) * plane;
          int to = (i * 3 + k) * plane;
          for (int p = 0; p < plane; p++) {
            float v = r[from + p];
            rgb[to + p] = imagenet ? ((v + 1f) * 0.5f - IMAGENET_MEAN[k]) / IMAGENET_STD[k] : v;
          }
        }
      }
      return backbone.features(m.create(rgb, new Shape(n, 3, size, size)), config.layers());
    }

    @Override
    boolean noised() {
      return false;
    }

    @Override
    String describe() {
      return "backbone=" + config.describe() + ";sha256=" + backbone.sha256();
    }

    @Override
    public void close() {
      backbone.close();
    }
  }
}
