package ai.diffad.cli;

import ai.diffad.config.DiffadConfig;
import ai.diffad.config.SamplerKind;
import ai.diffad.denoise.io.Grid;
import ai.diffad.denoise.io.Images;
import ai.diffad.model.NetworkFn;
import ai.diffad.model.artifact.LoadedModel;
import ai.diffad.model.artifact.ModelArtifact;
import ai.diffad.model.net.GuidedNetwork;
import ai.diffad.model.net.Networks;
import ai.diffad.model.noise.GaussianNoise;
import ai.diffad.model.sampler.ReverseProcess;
import ai.diffad.model.sampler.Sampler;
import ai.diffad.model.sampler.Samplers;
import ai.diffad.model.schedule.NoiseSchedule;
import ai.diffad.model.util.ProgressBars;
import ai.diffad.model.util.ProgressReporter;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Generates new images from a trained model (synthetic data), written as PNG files. */
@Command(name = "sample", mixinStandardHelpOptions = true,
    description = "Generate images from a trained model: N PNG files and a grid.png.")
final class SampleCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--model", required = true, description = "Model directory (from diffad train).")
  Path model;

  @Option(names = "--count", required = true, description = "Number of images.")
  int count;

  @Option(names = "--out", required = true, description = "Output folder.")
  Path out;

  @Option(names = "--sampler", defaultValue = "ddim", converter = EnumConverters.Sampler.class,
      description = "ddpm, ddim or sde (default: ${DEFAULT-VALUE}).")
  SamplerKind sampler;

  @Option(names = "--steps", description = "Network calls (default: 50 for ddim, T for ddpm, 500 for sde).")
  Integer steps;

  @Option(names = "--seed", defaultValue = "0", description = "Seed; the same seed gives the same images (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--batch", defaultValue = "16", description = "Images per network call (default: ${DEFAULT-VALUE}).")
  int batch;

  @Option(names = "--label", description = "Class label for a class-conditional model (default: labels cycle 0..K-1).")
  Integer label;

  @Option(names = "--guidance", defaultValue = "2.0",
      description = "Classifier-free guidance scale w for class-conditional models (default: ${DEFAULT-VALUE}).")
  double guidance;

  @Option(names = "--size", description = "Output side in pixels (default: the model's input size; must be a multiple of 2^(levels-1)).")
  Integer size;

  @Override
  public Integer call() throws IOException {
    if (count < 1) {
      throw new ParameterException(spec.commandLine(), "--count: must be > 0, got " + count);
    }
    if (batch < 1) {
      throw new ParameterException(spec.commandLine(), "--batch: must be > 0, got " + batch);
    }
    try (LoadedModel m = ModelArtifact.load(model, Engine.getInstance().defaultDevice(), Networks::create)) {
      DiffadConfig cfg = m.manifest().config();
      int classes = cfg.network().numClasses();
      if (label != null && (classes == 0 || label < 0 || label >= classes)) {
        throw new ParameterException(spec.commandLine(), classes == 0
            ? "--label: the model is unconditional (network.numClasses = 0)"
            : "--label: must be in [0, " + (classes - 1) + "], got " + label);
      }
      int side = size != null ? size : cfg.data().size();
      if (side % cfg.network().sizeMultiple() != 0 || side < cfg.network().sizeMultiple()) {
        throw new ParameterException(spec.commandLine(),
            "--size: must be a positive multiple of " + cfg.network().sizeMultiple() + ", got " + side);
      }
      NoiseSchedule schedule = NoiseSchedule.of(cfg.schedule());
      int t = schedule.timesteps();
      int n = steps != null ? steps : switch (sampler) {
        case DDIM -> 50;
        case DDPM -> t;
        case SDE -> 500;
      };
      if (n < 1 || n > t) {
        throw new ParameterException(spec.commandLine(), "--steps: must be in [1, " + t + "], got " + n);
      }
      Sampler s = Samplers.create(sampler, schedule, cfg.prediction());
      ReverseProcess reverse = new ReverseProcess(s, new GaussianNoise());
      NetworkFn net = classes > 0
          ? new GuidedNetwork(m.block(), new ParameterStore(m.manager(), false), classes, guidance)
          : m.networkFn();
      int c = cfg.data().channels();
      Files.createDirectories(out);
      List<float[]> images = new ArrayList<>();
      GaussianNoise start = new GaussianNoise();
      long t0 = System.nanoTime();
      try (ProgressReporter pb = ProgressBars.open("sample", count,
          b -> Cli.BAR.apply(b).setUnit(" img", 1))) {
        for (int first = 0; first < count; first += batch) {
          int nb = Math.min(batch, count - first);
          try (NDManager mgr = m.manager().newSubManager()) {
            // Each batch has its own seed stream, so the images do not depend on --batch alignment
            // beyond the batch index: the same --seed and --batch give the same files.
            NDArray x = start.sample(mgr, new Shape(nb, c, side, side), seed * 1_000_003L + first);
            NDArray labels = null;
            if (classes > 0) {
              int[] l = new int[nb];
              for (int i = 0; i < nb; i++) {
                l[i] = label != null ? label : (first + i) % classes;
              }
              labels = mgr.create(l);
            }
            ReverseProcess.Result r = reverse.run(net, n, t - 1, x, labels, seed + first);
            float[] all = r.x0().toType(DataType.FLOAT32, false).toFloatArray();
            int per = c * side * side;
            for (int i = 0; i < nb; i++) {
              float[] img = new float[per];
              System.arraycopy(all, i * per, img, 0, per);
              images.add(img);
              Images.writePng(out.resolve(String.format(Locale.ROOT, "sample-%05d.png", first + i)),
                  img, c, side, side, 8);
            }
          }
          pb.stepTo(first + nb);
        }
      }
      int cols = (int) Math.ceil(Math.sqrt(images.size()));
      Images.Planar grid = Grid.tile(images, c, side, side, cols, 2);
      Images.writePng(out.resolve("grid.png"), grid.data(), c, grid.height(), grid.width(), 8);
      spec.commandLine().getOut().printf(Locale.ROOT,
          "wrote %d samples (%s, %d steps, %.1f s) and grid.png to %s%n",
          count, sampler.spelling(), n, (System.nanoTime() - t0) / 1e9, out);
      spec.commandLine().getOut().flush();
    }
    return DiffadCli.EXIT_OK;
  }
}
