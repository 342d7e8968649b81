package ai.diffad.evaluation.run;

import ai.diffad.config.EngineConfig;
import ai.diffad.denoise.io.Images;
import ai.diffad.evaluation.report.Plots;
import ai.diffad.evaluation.report.ReportHtml;
import ai.diffad.evaluation.report.ReportJson;
import ai.diffad.evaluation.report.ScoresCsv;
import ai.diffad.evaluation.run.DenoiseEvaluation.Cell;
import ai.diffad.evaluation.run.DenoiseEvaluation.Example;
import ai.diffad.evaluation.run.DenoiseEvaluation.ImageScore;
import ai.diffad.evaluation.run.DenoiseEvaluation.Method;
import ai.diffad.model.artifact.ModelArtifact;
import ai.diffad.model.artifact.ModelManifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes the files of a denoising evaluation: {@code report.json} (per set, per sigma, per method:
 * PSNR, SSIM, images, seconds), {@code scores.csv} (one row per image x sigma x method; score =
 * PSNR, extra column ssim), PSNR- and SSIM-vs-sigma charts per set, one picture strip per set
 * (clean / noisy / each method, one row per sigma) and {@code report.html} that shows them with
 * the published references of ANCHORS.md.
 */
public final class DenoiseReport {
  /** The machine-readable report. */
  public static final String JSON = "report.json";
  /** Per-image figures. */
  public static final String CSV = "scores.csv";
  /** The report people read. */
  public static final String HTML = "report.html";
  /** Largest side of the crop shown in the picture strips. */
  static final int CROP = 160;
  /** Gap between the pictures of a strip, pixels. */
  static final int GAP = 4;

  /**
   * Published PSNR at sigma 25 (ANCHORS.md, "Denoising"): set to method to dB.
   */
  static final Map<String, Map<String, Double>> REFERENCES_SIGMA25 = Map.of(
      "Set12", refs(27.80, 29.97, 30.44, 30.94, 29.68),
      "BSD68", refs(26.67, 28.57, 29.23, 29.48, 28.78));

  /** The acceptance target: BSD68, sigma 25, mmse; at least BM3D, the goal DnCNN. */
  static final String TARGET_SET = "BSD68";
  static final double TARGET_SIGMA = 25.0;

  private DenoiseReport() {}

  private static Map<String, Double> refs(double nlmBestH, double bm3d, double dncnn,
      double drunet, double pytorchReference) {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("OpenCV NLM, best h (measured, clipped input)", nlmBestH);
    m.put("BM3D", bm3d);
    m.put("DnCNN", dncnn);
    m.put("DRUNet", drunet);
    m.put("PyTorch reference run (1.6 M U-Net, 25 min CPU, one step)", pytorchReference);
    return m;
  }

  /**
   * Writes the report files into {@code out}.
   *
   * @param out report folder (created)
   * @param r the evaluation result
   * @param model the model's manifest (fingerprint)
   * @param engine the engine settings used (sampler and steps of sample mode, tiling, seed)
   * @param dataset the dataset folder
   * @param selection how the sets were chosen, in words (or null)
   */
  public static void write(Path out, DenoiseEvaluation.Result r, ModelManifest model,
      EngineConfig engine, Path dataset, String selection) throws IOException {
    Files.createDirectories(out);
    DenoiseEvaluation.Options o = r.options();
    List<Method> methods = o.methods();
    boolean subsampled = o.every() > 1 && o.modes().contains(Method.SAMPLE);

    // scores.csv: one row per set x sigma x image x method.
    List<ScoresCsv.Row> rows = new ArrayList<>();
    for (ImageScore s : r.scores()) {
      rows.add(new ScoresCsv.Row(s.set() + "/" + s.image(), false, s.set() + "/sigma"
          + DenoiseEvaluation.sigmaText(s.sigma()) + "/" + s.method().key(), s.psnr(), s.ssim()));
    }
    ScoresCsv.write(out.resolve(CSV), List.of("ssim"), rows);

    // report.json
    Map<String, Object> json = new LinkedHashMap<>();
    Map<String, Object> sets = new LinkedHashMap<>();
    for (String set : r.sets().keySet()) {
      Map<String, Object> bySigma = new LinkedHashMap<>();
      for (double sigma : o.sigmas()) {
        Map<String, Object> byMethod = new LinkedHashMap<>();
        for (Method m : methods) {
          byMethod.put(m.key(), figures(r.cell(set, sigma, m), r.sets().get(set)));
        }
        if (subsampled) {
          Map<String, Object> same = new LinkedHashMap<>();
          same.put("note", "every method on the images sample mode ran on (every " + o.every()
              + "th)");
          for (Method m : methods) {
            Cell c = r.cell(set, sigma, m, true);
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("psnr", c.psnr());
            f.put("ssim", c.ssim());
            f.put("images", c.images());
            same.put(m.key(), f);
          }
          byMethod.put("sample_images", same);
        }
        bySigma.put(DenoiseEvaluation.sigmaText(sigma), byMethod);
      }
      sets.put(set, bySigma);
    }
    json.put("sets", sets);
    Map<String, Object> target = target(r);
    if (target != null) {
      json.put("target", target);
    }
    Map<String, Object> references = new LinkedHashMap<>();
    references.put("sigma", 25);
    references.put("source", "ANCHORS.md, Denoising (published PSNR, grayscale, dB)");
    for (String set : r.sets().keySet()) {
      if (REFERENCES_SIGMA25.containsKey(set)) {
        references.put(set, REFERENCES_SIGMA25.get(set));
      }
    }
    json.put("references", references);
    Map<String, Object> fingerprint = modelMap(model);
    json.put("model", fingerprint);
    Map<String, Object> protocol = protocol(r, engine, dataset, selection);
    json.put("configuration", Map.of("evaluation", protocol, "engine", engine));
    Map<String, Object> timings = timings(r);
    json.put("timings", timings);
    ReportJson.write(out.resolve(JSON), json);

    // Charts and picture strips.
    List<ReportHtml.Figure> charts = new ArrayList<>();
    double[] xs = o.sigmas().stream().mapToDouble(Double::doubleValue).toArray();
    for (String set : r.sets().keySet()) {
      for (String metric : List.of("psnr", "ssim")) {
        Map<String, double[][]> series = new LinkedHashMap<>();
        for (Method m : methods) {
          double[] ys = new double[xs.length];
          for (int k = 0; k < xs.length; k++) {
            Cell c = r.cell(set, xs[k], m);
            ys[k] = metric.equals("psnr") ? c.psnr() : c.ssim();
          }
          series.put(m.label(), new double[][] {xs, ys});
        }
        String file = metric + "-vs-sigma-" + slug(set) + ".png";
        Plots.lineChart(out.resolve(file), set + ": " + metric.toUpperCase(Locale.ROOT)
                + " vs noise sigma", "sigma (0-255)",
            metric.equals("psnr") ? "PSNR (dB)" : "SSIM", series);
        charts.add(new ReportHtml.Figure(file, set + ": mean " + metric.toUpperCase(Locale.ROOT)
            + " per method" + (subsampled ? " (sample mode on every " + o.every() + "th image)"
            : "")));
      }
    }
    List<ReportHtml.Figure> strips = new ArrayList<>();
    for (Example e : r.examples()) {
      String file = "examples-" + slug(e.set()) + ".png";
      List<Method> shown = strip(out.resolve(file), e, methods, o.sigmas());
      List<String> columns = new ArrayList<>(List.of("clean"));
      shown.forEach(m -> columns.add(m.label()));
      List<String> rowNames = o.sigmas().stream()
          .map(s -> "sigma " + DenoiseEvaluation.sigmaText(s)).toList();
      strips.add(new ReportHtml.Figure(file, e.set() + "/" + e.image() + ", central crop at full"
          + " resolution; columns: " + String.join(" | ", columns) + "; rows: "
          + String.join(", ", rowNames) + " (the noisy input is shown clipped)"));
    }

    // report.html
    ReportHtml html = ReportHtml.titled("diffad evaluation: denoising, " + String.join(", ",
        r.sets().keySet()) + " (" + model.name() + ")");
    html.paragraph(summaryText(r));
    html.paragraph("Noise: clean + N(0, sigma^2) on the 0-255 scale from seed " + o.noiseSeed()
        + " (per image, from the seed, the file name and sigma), not clipped and not quantised,"
        + " as in the DnCNN/DRUNet papers; the noisy-input column measures exactly what diffad"
        + " sees. OpenCV NLM needs 8-bit input, so its input is clipped to 0-255 and rounded"
        + " (h = sigma, template " + o.nlm().templateWindow() + ", search "
        + o.nlm().searchWindow() + "). diffad outputs are rounded to 8 bits before measuring."
        + " PSNR: peak 255; SSIM: Gaussian window 11, sigma 1.5; both averaged over images.");
    if (target != null) {
      html.paragraph(String.valueOf(target.get("verdict")));
    }
    html.table("PSNR (dB)", header(methods), table(r, methods, true, false),
        subsampled ? "diffad sample: every " + o.every() + "th image of each set only; see the"
            + " same-images table below" : null);
    html.table("SSIM", header(methods), table(r, methods, false, false),
        subsampled ? "diffad sample: every " + o.every() + "th image only" : null);
    if (subsampled) {
      html.table("PSNR (dB) on the images sample mode ran on (every " + o.every() + "th)",
          header(methods), table(r, methods, true, true), null);
      html.table("SSIM on the images sample mode ran on (every " + o.every() + "th)",
          header(methods), table(r, methods, false, true), null);
    }
    List<List<Object>> speed = new ArrayList<>();
    for (Method m : methods) {
      if (m == Method.NOISY) {
        continue;
      }
      Cell c = r.total(m);
      speed.add(List.of(m.label(), c.images(), c.seconds(), c.imagesPerSecond()));
    }
    html.table("Speed", List.of("method", "images", "seconds", "images/s"), speed,
        "wall time of each method's own calls over all sets and sigmas (images differ in size"
            + " between sets); diffad evaluate gives OpenCV's NLM the network's thread count"
            + " (DIFFAD_THREADS)");
    List<List<Object>> refRows = new ArrayList<>();
    List<String> refSets = r.sets().keySet().stream()
        .filter(REFERENCES_SIGMA25::containsKey).toList();
    if (!refSets.isEmpty() && o.sigmas().contains(25.0)) {
      List<String> refHeader = new ArrayList<>(List.of("method (sigma 25)"));
      refHeader.addAll(refSets);
      for (String name : REFERENCES_SIGMA25.get(refSets.get(0)).keySet()) {
        List<Object> row = new ArrayList<>(List.of(name));
        refSets.forEach(s -> row.add(REFERENCES_SIGMA25.get(s).get(name)));
        refRows.add(row);
      }
      for (Method m : methods) {
        List<Object> row = new ArrayList<>(List.of("this run: " + m.label()));
        refSets.forEach(s -> row.add(r.cell(s, 25.0, m).psnr()));
        refRows.add(row);
      }
      html.table("References (PSNR, dB, sigma 25)", refHeader, refRows,
          "published figures as listed in ANCHORS.md; the NLM reference used the best h, this run"
              + " uses h = sigma");
    }
    html.images("PSNR and SSIM vs sigma", charts);
    html.images("Examples", strips);
    html.keyValues("Model", fingerprint);
    html.keyValues("Evaluation settings", protocol);
    html.keyValues("Engine settings (denoiser)", engineMap(engine));
    html.keyValues("Timings", timings);
    html.write(out.resolve(HTML));
  }

  private static Map<String, Object> figures(Cell c, int setSize) {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("psnr", c.psnr());
    f.put("ssim", c.ssim());
    f.put("images", c.images());
    if (c.images() < setSize) {
      f.put("of_images", setSize);
    }
    f.put("seconds", c.seconds());
    if (c.method() != Method.NOISY) {
      f.put("images_per_second", c.imagesPerSecond());
    }
    if (c.method() == Method.MMSE_AUTO) {
      f.put("sigma_estimated_mean", c.sigmaUsed());
    }
    if (c.method() == Method.MMSE || c.method() == Method.SAMPLE) {
      f.put("t", c.t());
    }
    return f;
  }

  /** The acceptance figure: BSD68 at sigma 25 in mmse mode against BM3D and DnCNN. */
  private static Map<String, Object> target(DenoiseEvaluation.Result r) {
    if (!r.sets().containsKey(TARGET_SET) || !r.options().sigmas().contains(TARGET_SIGMA)
        || !r.options().modes().contains(Method.MMSE)) {
      return null;
    }
    double psnr = r.cell(TARGET_SET, TARGET_SIGMA, Method.MMSE).psnr();
    Map<String, Double> ref = REFERENCES_SIGMA25.get(TARGET_SET);
    double bm3d = ref.get("BM3D");
    double dncnn = ref.get("DnCNN");
    Map<String, Object> t = new LinkedHashMap<>();
    t.put("set", TARGET_SET);
    t.put("sigma", TARGET_SIGMA);
    t.put("mode", "mmse");
    t.put("psnr", psnr);
    t.put("bm3d", bm3d);
    t.put("dncnn", dncnn);
    t.put("beats_bm3d", psnr >= bm3d);
    t.put("beats_dncnn", psnr >= dncnn);
    t.put("verdict", String.format(Locale.ROOT, "Target: %s at sigma 25, diffad mmse %.2f dB;"
            + " BM3D %.2f (%s), DnCNN %.2f (%s).", TARGET_SET, psnr, bm3d,
        psnr >= bm3d ? "reached" : "not reached", dncnn, psnr >= dncnn ? "reached"
            : "not reached"));
    return t;
  }

  private static String summaryText(DenoiseEvaluation.Result r) {
    DenoiseEvaluation.Options o = r.options();
    StringBuilder sb = new StringBuilder();
    List<String> parts = new ArrayList<>();
    r.sets().forEach((k, v) -> parts.add(k + " (" + v + " images)"));
    sb.append(String.join(", ", parts)).append(" at sigma ")
        .append(String.join(", ", o.sigmas().stream().map(DenoiseEvaluation::sigmaText)
            .toList()))
        .append("; methods: ").append(String.join(", ", o.methods().stream()
            .map(Method::label).toList())).append('.');
    if (o.modes().contains(Method.SAMPLE) && o.every() > 1) {
      sb.append(" diffad sample ran on every ").append(o.every())
          .append("th image of each set (index 0, ").append(o.every()).append(", ...).");
    }
    sb.append(String.format(Locale.ROOT, " Total %.1f s.", r.seconds()));
    return sb.toString();
  }

  private static List<String> header(List<Method> methods) {
    List<String> h = new ArrayList<>(List.of("set", "sigma"));
    methods.forEach(m -> h.add(m.label()));
    return h;
  }

  private static List<List<Object>> table(DenoiseEvaluation.Result r, List<Method> methods,
      boolean psnr, boolean sampleImagesOnly) {
    List<List<Object>> rows = new ArrayList<>();
    for (String set : r.sets().keySet()) {
      for (double sigma : r.options().sigmas()) {
        List<Object> row = new ArrayList<>();
        row.add(set);
        row.add(DenoiseEvaluation.sigmaText(sigma));
        for (Method m : methods) {
          Cell c = r.cell(set, sigma, m, sampleImagesOnly);
          row.add(psnr ? c.psnr() : c.ssim());
        }
        rows.add(row);
      }
    }
    return rows;
  }

  private static Map<String, Object> modelMap(ModelManifest model) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", model.name());
    m.put("sha256", model.fingerprint());
    m.put("training_steps", model.training() == null ? null : model.training().steps());
    m.put("training_items", model.training() == null ? null : model.training().items());
    m.put("training_data", model.training() == null ? null
        : model.training().dataDescription());
    m.put("trained_t_range", "[" + model.config().training().tMin() + ", "
        + model.config().training().tMaxFor(model.config().schedule().timesteps()) + ")");
    m.put("channels", model.input().channels());
    m.put("size", model.input().size());
    return m;
  }

  private static Map<String, Object> protocol(DenoiseEvaluation.Result r, EngineConfig engine,
      Path dataset, String selection) {
    DenoiseEvaluation.Options o = r.options();
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("dataset", dataset.toString());
    p.put("sets", new ArrayList<>(r.sets().keySet()));
    if (selection != null) {
      p.put("sets_chosen", selection);
    }
    p.put("sigmas", o.sigmas());
    p.put("methods", o.methods().stream().map(Method::key).toList());
    p.put("sample_every", o.every());
    p.put("noise_seed", o.noiseSeed());
    p.put("noise", "additive white Gaussian, 0-255 scale, not clipped, not quantised");
    p.put("nlm", "OpenCV fastNlMeansDenoising, h = " + (o.nlm().h(1.0) == 1.0 ? ""
        : o.nlm().h(1.0) + " * ") + "sigma, templateWindowSize " + o.nlm().templateWindow()
        + ", searchWindowSize " + o.nlm().searchWindow()
        + "; input clipped to 0-255 and rounded to 8 bits");
    p.put("diffad_output", "clipped to [-1, 1] and rounded to 8 bits before measuring");
    p.put("sample_mode", engine.sampler().spelling() + ", min(" + engine.steps()
        + ", t + 1) network calls from t(sigma), eta " + engine.eta() + ", seed " + engine.seed());
    p.put("psnr", "10 log10(255^2 / MSE) per image, averaged");
    p.put("ssim", "Gaussian window 11, sigma 1.5, data range 255, per image, averaged");
    return p;
  }

  private static Map<String, Object> timings(DenoiseEvaluation.Result r) {
    Map<String, Object> t = new LinkedHashMap<>();
    for (Method m : r.options().methods()) {
      if (m == Method.NOISY) {
        continue;
      }
      Cell c = r.total(m);
      Map<String, Object> f = new LinkedHashMap<>();
      f.put("images", c.images());
      f.put("seconds", c.seconds());
      f.put("images_per_second", c.imagesPerSecond());
      t.put(m.key(), f);
    }
    t.put("total_seconds", r.seconds());
    return t;
  }

  private static Map<String, Object> engineMap(EngineConfig e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("sampler (sample mode)", e.sampler());
    m.put("steps (sample mode)", e.steps());
    m.put("eta", e.eta());
    m.put("seed", e.seed());
    m.put("batch", e.batchSize());
    m.put("tile", e.tileSize() == 0 ? "the model's training size" : e.tileSize());
    m.put("tile overlap", e.tileOverlap());
    return m;
  }

  /**
   * Writes one example's strip: rows = sigmas, columns = clean and each method, a central crop of
   * at most {@link #CROP} pixels a side, {@link #GAP} white pixels between pictures.
   *
   * @return the methods shown, in column order
   */
  static List<Method> strip(Path file, Example e, List<Method> methods, List<Double> sigmas)
      throws IOException {
    List<Method> shown = new ArrayList<>();
    for (Method m : methods) {
      boolean everywhere = true;
      for (double s : sigmas) {
        everywhere &= e.outputs().containsKey(s) && e.outputs().get(s).containsKey(m);
      }
      if (everywhere) {
        shown.add(m);
      }
    }
    int c = e.channels();
    int ch = Math.min(CROP, e.height());
    int cw = Math.min(CROP, e.width());
    int y0 = (e.height() - ch) / 2;
    int x0 = (e.width() - cw) / 2;
    int cols = shown.size() + 1;
    int rows = sigmas.size();
    int h = rows * ch + (rows - 1) * GAP;
    int w = cols * cw + (cols - 1) * GAP;
    float[] canvas = new float[c * h * w];
    Arrays.fill(canvas, 1f);
    for (int r = 0; r < rows; r++) {
      Map<Method, float[]> outs = e.outputs().get(sigmas.get(r));
      for (int k = 0; k < cols; k++) {
        float[] src = k == 0 ? e.clean() : outs.get(shown.get(k - 1));
        int oy = r * (ch + GAP);
        int ox = k * (cw + GAP);
        for (int p = 0; p < c; p++) {
          for (int y = 0; y < ch; y++) {
            for (int x = 0; x < cw; x++) {
              float v = src[(p * e.height() + y0 + y) * e.width() + x0 + x];
              canvas[(p * h + oy + y) * w + ox + x] = Math.max(-1f, Math.min(1f, v));
            }
          }
        }
      }
    }
    Images.writePng(file, canvas, c, h, w, 8);
    return shown;
  }

  private static String slug(String name) {
    return name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
  }
}
