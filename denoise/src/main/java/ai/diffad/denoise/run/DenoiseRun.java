package ai.diffad.denoise.run;

import ai.diffad.config.DenoiseMode;
import ai.diffad.config.EngineConfig;
import ai.diffad.denoise.denoising.DenoiseResult;
import ai.diffad.denoise.denoising.Denoiser;
import ai.diffad.denoise.io.DecodedImage;
import ai.diffad.denoise.io.ImageDecoder;
import ai.diffad.denoise.io.ImageEncoder;
import ai.diffad.denoise.record.JsonLines;
import ai.diffad.denoise.record.RejectReason;
import ai.diffad.denoise.record.RejectedInputException;
import ai.diffad.denoise.record.Rejection;
import ai.diffad.model.artifact.LoadedModel;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Denoises many images: each output mirrors its input's path under the output folder with the
 * input's format, size, channel count, bit depth and alpha; one record per input in
 * {@code denoised.jsonl} or {@code rejected.jsonl}. Colour inputs to a gray model are denoised in
 * gray (BT.601 luma) and written back with three equal channels.
 */
public final class DenoiseRun {
  /** Results file name. */
  public static final String RESULTS = "denoised.jsonl";

  /**
   * One denoised input.
   *
   * @param id input id
   * @param output written file
   * @param mode mmse or sample
   * @param sigma noise level used (0-255)
   * @param sigmaEstimated whether sigma was estimated from the image
   * @param t diffusion step the input was treated as
   * @param sigmaEquiv the noise level of step t (0-255)
   * @param unchanged true if sigma was below the schedule's first step and the input was copied
   * @param note remark, or null
   * @param timingsMs decode, model (denoise) and total milliseconds
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record DenoiseRecord(String id, String output, String mode, double sigma,
      boolean sigmaEstimated, int t, double sigmaEquiv, boolean unchanged, String note,
      Map<String, Double> timingsMs) {}

  private final LoadedModel model;
  private final Denoiser denoiser;
  private final DenoiseMode mode;
  private final Double sigma;
  private final Path out;
  private final ImageDecoder decoder;

  /**
   * @param model the model (not closed here)
   * @param engine sampler, steps, seed, batch size and tiling for the denoiser
   * @param mode mmse or sample
   * @param sigma the noise level of all inputs (0-255), or null to estimate it per image
   * @param out output folder
   */
  public DenoiseRun(LoadedModel model, EngineConfig engine, DenoiseMode mode, Double sigma, Path out) {
    this.model = model;
    this.denoiser = Denoiser.builder().setModel(model).optMode(mode).optEngine(engine).build();
    this.mode = mode;
    this.sigma = sigma;
    this.out = out;
    this.decoder = ImageDecoder.of(engine);
  }

  /** Denoises every input; {@code progress} is told after each (may be null). */
  public RunSummary run(List<InputFiles.Input> inputs, Consumer<InputFiles.Input> progress)
      throws IOException {
    long t0 = System.nanoTime();
    Files.createDirectories(out);
    Files.deleteIfExists(out.resolve(RESULTS));
    Files.deleteIfExists(out.resolve(ScoreRun.REJECTED));
    int done = 0;
    int rejected = 0;
    Map<String, Integer> reasons = new HashMap<>();
    int c = model.manifest().input().channels();
    try (JsonLines results = JsonLines.append(out.resolve(RESULTS));
        JsonLines rejects = JsonLines.append(out.resolve(ScoreRun.REJECTED))) {
      for (InputFiles.Input in : inputs) {
        try {
          long a = System.nanoTime();
          DecodedImage img = decoder.decode(in.file());
          DecodedImage x = img.withChannels(c);
          long b = System.nanoTime();
          DenoiseResult r = sigma == null
              ? denoiser.denoiseAuto(x.data(), c, x.height(), x.width())
              : denoiser.denoise(x.data(), c, x.height(), x.width(), sigma);
          long d = System.nanoTime();
          float[] back = DecodedImage.convert(r.image(), c, img.channels(), img.height() * img.width());
          Path file = out.resolve(in.relative());
          ImageEncoder.writeLike(file, back, img.channels(), img);
          Map<String, Double> timings = new LinkedHashMap<>();
          timings.put("decode", ms(b - a));
          timings.put("model", ms(d - b));
          timings.put("total", ms(System.nanoTime() - a));
          results.write(new DenoiseRecord(in.id(), file.toString(), mode.spelling(), r.sigma(),
              r.sigmaEstimated(), r.t(), r.sigmaEquiv(), r.unchanged(),
              r.note() == null || r.note().isEmpty() ? null : r.note(), timings));
          done++;
        } catch (RejectedInputException e) {
          rejects.write(Rejection.of(in.id(), null, e));
          rejected++;
          reasons.merge(e.reason().name(), 1, Integer::sum);
        } catch (IOException | RuntimeException e) {
          rejects.write(Rejection.of(in.id(), null, RejectReason.PROCESSING_FAILED, String.valueOf(e.getMessage())));
          rejected++;
          reasons.merge(RejectReason.PROCESSING_FAILED.name(), 1, Integer::sum);
        }
        if (progress != null) {
          progress.accept(in);
        }
      }
    }
    return new RunSummary(inputs.size(), done, rejected, 0, reasons, (System.nanoTime() - t0) / 1e9);
  }

  private static double ms(long nanos) {
    return Math.round(nanos / 1e4) / 100.0;
  }
}
