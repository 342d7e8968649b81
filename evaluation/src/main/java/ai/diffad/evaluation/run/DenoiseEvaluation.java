package ai.diffad.evaluation.run;

import ai.diffad.config.DenoiseMode;
import ai.diffad.config.EngineConfig;
import ai.diffad.denoise.denoising.DenoiseResult;
import ai.diffad.denoise.denoising.Denoiser;
import ai.diffad.evaluation.baseline.NlmBaseline;
import ai.diffad.evaluation.data.CleanImageSet;
import ai.diffad.evaluation.metrics.Psnr;
import ai.diffad.evaluation.metrics.Ssim;
import ai.diffad.model.artifact.LoadedModel;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Evaluates a denoising model on clean-image sets (Set12, BSD68, ...) the way the DnCNN / DRUNet
 * papers do, with the baselines in the same run: for every set and sigma, each clean image gets
 * additive white Gaussian noise from a fixed seed ({@link CleanImageSet#noisy}: not clipped, not
 * quantised), and each method's output is compared with the clean image by PSNR (peak 255 on the
 * 0–255 scale) and SSIM (Gaussian window 11, sigma 1.5), averaged per set, sigma and method.
 *
 * <p>Methods ({@link Method}):
 *
 * <ul>
 *   <li>the noisy input itself, as the model sees it (unclipped);
 *   <li>OpenCV non-local means with h = sigma ({@link NlmBaseline}); OpenCV needs 8 bits, so its
 *       input is clipped to 0–255 and rounded;
 *   <li>diffad mmse: the network's one-step estimate of x0 at the step whose noise level is the
 *       known sigma ({@link Denoiser}, {@link DenoiseMode#MMSE});
 *   <li>diffad mmse with the sigma that {@code NoiseEstimator} finds in the noisy image (blind,
 *       what {@code diffad denoise --sigma auto} does);
 *   <li>diffad sample: the reverse chain from that step with the engine's sampler and steps, on
 *       every k-th image of each set only ({@link Options#every()}), since it costs a network
 *       call per step.
 * </ul>
 *
 * <p>diffad outputs are clipped to [-1, 1] by the denoiser and rounded to 8 bits before they are
 * measured, as a saved PNG would be (and as KAIR's evaluation of DnCNN / DRUNet does); NLM's
 * output is 8-bit already. Each method is timed on its own (wall time of its calls only).
 */
public final class DenoiseEvaluation {

  /** What is measured against the clean image. */
  public enum Method {
    /** The noisy input. */
    NOISY("noisy", "noisy input"),
    /** OpenCV fastNlMeansDenoising. */
    NLM("nlm", "OpenCV NLM (h = sigma)"),
    /** diffad, one-step MMSE estimate at the known sigma. */
    MMSE("mmse", "diffad mmse"),
    /** diffad, one-step MMSE estimate at the estimated sigma. */
    MMSE_AUTO("mmse_auto", "diffad mmse (sigma estimated)"),
    /** diffad, reverse chain. */
    SAMPLE("sample", "diffad sample");

    private final String key;
    private final String label;

    Method(String key, String label) {
      this.key = key;
      this.label = label;
    }

    /** The key in report.json and scores.csv. */
    public String key() {
      return key;
    }

    /** The name in report.html. */
    public String label() {
      return label;
    }

    /** Whether the method runs the model. */
    public boolean usesModel() {
      return this == MMSE || this == MMSE_AUTO || this == SAMPLE;
    }

    /**
     * The diffad modes as the command line spells them: mmse, auto (mmse at the estimated sigma),
     * sample.
     */
    public static Method ofMode(String spelling) {
      return switch (spelling.trim().toLowerCase(Locale.ROOT)) {
        case "mmse" -> MMSE;
        case "auto", "mmse-auto", "mmse_auto" -> MMSE_AUTO;
        case "sample" -> SAMPLE;
        default -> throw new IllegalArgumentException(
            "unknown mode '" + spelling + "'; allowed: mmse, auto, sample");
      };
    }
  }

  /**
   * Settings of a run.
   *
   * @param sigmas noise levels on the 0–255 scale, each > 0
   * @param modes the diffad methods to run (MMSE, MMSE_AUTO, SAMPLE; may be empty); the noisy
   *     input and NLM always run
   * @param every sample mode runs on every k-th image of each set (index 0, k, 2k, ...); 1: all
   * @param noiseSeed the seed of the added noise ({@link CleanImageSet#noisy})
   * @param nlm the NLM baseline
   */
  public record Options(List<Double> sigmas, List<Method> modes, int every, long noiseSeed,
      NlmBaseline nlm) {
    /** Validates and copies. */
    public Options {
      sigmas = List.copyOf(sigmas);
      modes = List.copyOf(modes);
      Objects.requireNonNull(nlm, "nlm");
      if (sigmas.isEmpty()) {
        throw new IllegalArgumentException("at least one sigma is needed");
      }
      for (double s : sigmas) {
        if (!(s > 0) || !Double.isFinite(s)) {
          throw new IllegalArgumentException("sigmas must be finite and > 0, got " + s);
        }
      }
      if (sigmas.stream().distinct().count() != sigmas.size()) {
        throw new IllegalArgumentException("sigmas repeat: " + sigmas);
      }
      for (Method m : modes) {
        if (!m.usesModel()) {
          throw new IllegalArgumentException(m.key() + " is not a diffad mode (the noisy input"
              + " and NLM always run)");
        }
      }
      if (modes.stream().distinct().count() != modes.size()) {
        throw new IllegalArgumentException("modes repeat: " + modes);
      }
      if (every < 1) {
        throw new IllegalArgumentException("every must be >= 1, got " + every);
      }
    }

    /** Sigma 15, 25, 50; mmse, mmse at the estimated sigma and sample on every image; seed 0. */
    public static Options defaults() {
      return new Options(List.of(15.0, 25.0, 50.0),
          List.of(Method.MMSE, Method.MMSE_AUTO, Method.SAMPLE), 1, 0L, NlmBaseline.defaults());
    }

    /** The methods measured, in table order: noisy, NLM, then the modes. */
    public List<Method> methods() {
      List<Method> all = new ArrayList<>(List.of(Method.NOISY, Method.NLM));
      for (Method m : Method.values()) {
        if (modes.contains(m)) {
          all.add(m);
        }
      }
      return all;
    }

    /** Whether {@code method} runs on image {@code index} of a set. */
    public boolean runs(Method method, int index) {
      return method != Method.SAMPLE || index % every == 0;
    }
  }

  /**
   * The figures of one method on one noisy image.
   *
   * @param set set name
   * @param image file name in the set
   * @param index position of the image in its set
   * @param sigma the noise level added (0–255)
   * @param method the method
   * @param psnr PSNR against the clean image, dB, peak 255
   * @param ssim SSIM against the clean image
   * @param seconds wall time of the method on this image (0 for the noisy input)
   * @param sigmaUsed the sigma the method was told or estimated (NaN for the noisy input)
   * @param t the diffusion step entered (-1 if none)
   */
  public record ImageScore(String set, String image, int index, double sigma, Method method,
      double psnr, double ssim, double seconds, double sigmaUsed, int t) {}

  /**
   * Means of one method on one set at one sigma.
   *
   * @param set set name
   * @param sigma noise level (0–255)
   * @param method the method
   * @param images images measured
   * @param psnr mean PSNR, dB
   * @param ssim mean SSIM
   * @param seconds total wall time of the method's calls
   * @param sigmaUsed mean sigma the method was told or estimated (NaN for the noisy input)
   * @param t the step entered (the one of the first image; -1 if none)
   */
  public record Cell(String set, double sigma, Method method, int images, double psnr,
      double ssim, double seconds, double sigmaUsed, int t) {
    /** Images per second (NaN for the noisy input, which costs nothing). */
    public double imagesPerSecond() {
      return seconds > 0 ? images / seconds : Double.NaN;
    }
  }

  /**
   * The first image of a set (which every method sees), kept for the report's picture strip.
   *
   * @param set set name
   * @param image file name
   * @param height H
   * @param width W
   * @param clean planar (C, H, W) clean image, [-1, 1]
   * @param outputs sigma to method to output, planar [-1, 1] (the noisy input unclipped)
   */
  public record Example(String set, String image, int channels, int height, int width,
      float[] clean, Map<Double, Map<Method, float[]>> outputs) {}

  /**
   * Everything a report needs.
   *
   * @param sets set name to its number of images, in order
   * @param options the run settings
   * @param scores one per set x sigma x image x method that ran, in that order
   * @param examples the first image of each set, in set order
   * @param seconds wall time of the whole evaluation
   */
  public record Result(Map<String, Integer> sets, Options options, List<ImageScore> scores,
      List<Example> examples, double seconds) {
    /** Means of a method on a set at a sigma, over all images the method ran on. */
    public Cell cell(String set, double sigma, Method method) {
      return cell(set, sigma, method, false);
    }

    /**
     * Means of a method on a set at a sigma.
     *
     * @param sampleImagesOnly average over the images sample mode ran on only, so that the
     *     methods can be compared with it on the same images
     */
    public Cell cell(String set, double sigma, Method method, boolean sampleImagesOnly) {
      int n = 0;
      double p = 0;
      double s = 0;
      double sec = 0;
      double used = 0;
      int t = -1;
      for (ImageScore r : scores) {
        if (r.set().equals(set) && r.sigma() == sigma && r.method() == method
            && (!sampleImagesOnly || options.runs(Method.SAMPLE, r.index()))) {
          if (n == 0) {
            t = r.t();
          }
          n++;
          p += r.psnr();
          s += r.ssim();
          sec += r.seconds();
          used += r.sigmaUsed();
        }
      }
      return n == 0
          ? new Cell(set, sigma, method, 0, Double.NaN, Double.NaN, 0, Double.NaN, -1)
          : new Cell(set, sigma, method, n, p / n, s / n, sec, used / n, t);
    }

    /** Images and total seconds of a method over the whole run. */
    public Cell total(Method method) {
      int n = 0;
      double sec = 0;
      for (ImageScore r : scores) {
        if (r.method() == method) {
          n++;
          sec += r.seconds();
        }
      }
      return new Cell("all", Double.NaN, method, n, Double.NaN, Double.NaN, sec, Double.NaN, -1);
    }
  }

  private final LoadedModel model;
  private final EngineConfig engine;
  private final Options options;

  /**
   * @param model the image model (not closed here)
   * @param engine sampler, steps, eta, seed, batch size and tiling of the denoiser
   * @param options run settings
   */
  public DenoiseEvaluation(LoadedModel model, EngineConfig engine, Options options) {
    this.model = Objects.requireNonNull(model, "model");
    this.engine = Objects.requireNonNull(engine, "engine");
    this.options = Objects.requireNonNull(options, "options");
  }

  /**
   * Runs every method on every set at every sigma.
   *
   * @param sets name to clean images, in report order; the images must have the model's channels
   * @param progress told after each image (one phase per set and sigma); may be null
   */
  public Result run(Map<String, CleanImageSet> sets, Progress progress) {
    long t0 = System.nanoTime();
    Progress p = progress == null ? Progress.NONE : progress;
    int channels = model.manifest().input().channels();
    Map<Method, Denoiser> denoisers = new EnumMap<>(Method.class);
    for (Method m : options.modes()) {
      DenoiseMode mode = m == Method.SAMPLE ? DenoiseMode.SAMPLE : DenoiseMode.MMSE;
      denoisers.put(m, Denoiser.builder().setModel(model).optMode(mode).optEngine(engine).build());
    }
    List<Method> methods = options.methods();
    Map<String, Integer> sizes = new LinkedHashMap<>();
    List<ImageScore> scores = new ArrayList<>();
    List<Example> examples = new ArrayList<>();
    for (Map.Entry<String, CleanImageSet> e : sets.entrySet()) {
      String name = e.getKey();
      List<CleanImageSet.CleanImage> images = e.getValue().images();
      sizes.put(name, images.size());
      Example example = null;
      for (double sigma : options.sigmas()) {
        String phase = String.format(Locale.ROOT, "%s sigma %s", name, sigmaText(sigma));
        for (int i = 0; i < images.size(); i++) {
          CleanImageSet.CleanImage img = images.get(i);
          int c = img.image().channels();
          int h = img.image().height();
          int w = img.image().width();
          if (c != channels) {
            throw new IllegalArgumentException(name + "/" + img.name() + " has " + c
                + " channels; the model takes " + channels);
          }
          float[] clean = img.image().data();
          float[] clean255 = to255(clean);
          float[] noisy = e.getValue().noisy(i, sigma, options.noiseSeed());
          if (i == 0) {
            if (example == null) {
              example = new Example(name, img.name(), c, h, w, clean, new LinkedHashMap<>());
            }
            example.outputs().put(sigma, new EnumMap<>(Method.class));
          }
          for (Method m : methods) {
            if (!options.runs(m, i)) {
              continue;
            }
            long a = System.nanoTime();
            float[] out;
            double used;
            int t = -1;
            switch (m) {
              case NOISY -> {
                out = noisy;
                used = Double.NaN;
              }
              case NLM -> {
                out = options.nlm().denoise(noisy, c, h, w, sigma);
                used = sigma;
              }
              default -> {
                Denoiser d = denoisers.get(m);
                DenoiseResult r = m == Method.MMSE_AUTO
                    ? d.denoiseAuto(noisy, c, h, w)
                    : d.denoise(noisy, c, h, w, sigma);
                out = quantise8(r.image());
                used = r.sigma();
                t = r.t();
              }
            }
            double seconds = m == Method.NOISY ? 0.0 : (System.nanoTime() - a) / 1e9;
            float[] out255 = to255(out);
            scores.add(new ImageScore(name, img.name(), i, sigma, m, Psnr.of(clean255, out255),
                Ssim.of(clean255, out255, c, h, w, 255.0), seconds, used, t));
            if (i == 0) {
              example.outputs().get(sigma).put(m, out);
            }
          }
          p.advanced(phase, i + 1, images.size());
        }
      }
      if (example != null) {
        examples.add(example);
      }
    }
    return new Result(sizes, options, scores, examples, (System.nanoTime() - t0) / 1e9);
  }

  /** Planar [-1, 1] values on the 0–255 scale (not clipped). */
  public static float[] to255(float[] unit) {
    float[] out = new float[unit.length];
    for (int i = 0; i < unit.length; i++) {
      out[i] = (float) ((unit[i] + 1.0) * 127.5);
    }
    return out;
  }

  /** Clips to [-1, 1] and rounds to the 8-bit grid k / 127.5 - 1, as a saved PNG would be. */
  public static float[] quantise8(float[] unit) {
    float[] out = new float[unit.length];
    for (int i = 0; i < unit.length; i++) {
      out[i] = (float) (NlmBaseline.to8Bit(unit[i]) / 127.5 - 1.0);
    }
    return out;
  }

  /** 25 for 25.0, 12.5 for 12.5. */
  public static String sigmaText(double sigma) {
    return sigma == Math.rint(sigma) ? Long.toString((long) sigma)
        : Double.toString(sigma);
  }
}
