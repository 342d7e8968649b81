package ai.diffad.cli;

import ai.diffad.config.DenoiseMode;
import ai.diffad.config.EngineConfig;
import ai.diffad.flink.FlinkEnvironments;
import ai.diffad.flink.batch.BatchJob;
import ai.diffad.flink.batch.DenoiseFunction;
import ai.diffad.flink.batch.SkipCompleted;
import ai.diffad.flink.operators.Progress;
import ai.diffad.model.artifact.ModelArtifact;
import ai.diffad.model.artifact.ModelManifest;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Denoises a folder of images as a Flink batch job: on a local MiniCluster (web UI on localhost),
 * on a running cluster ({@code --jobmanager}), or on the cluster of {@code flink run}.
 */
@Command(name = "batch", mixinStandardHelpOptions = true,
    description = {"Denoise every image under a folder with a Flink batch job:",
        "  OUT/denoised/<relative path>  each image denoised (same format, size,",
        "                                channels and bit depth), written atomically",
        "  OUT/scores.jsonl              one record per denoised image",
        "  OUT/rejected.jsonl            one record per image that failed",
        "Running it again does only what is not complete (record and image present;",
        "rejections stand unless --retry-rejected): an interrupted run is completed",
        "by running it again."})
final class BatchCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--model", required = true, description = "Model directory (an image model).")
  Path model;

  @Option(names = "--input", required = true, description = "Folder of images (read recursively).")
  Path input;

  @Option(names = "--out", required = true, description = "Output folder (outside the input folder).")
  Path out;

  @Option(names = "--sigma", defaultValue = "auto", description = "Noise sigma on the 0-255 scale, or auto to estimate it per image (default: ${DEFAULT-VALUE}).")
  String sigma;

  @Option(names = "--mode", defaultValue = "mmse", converter = EnumConverters.Mode.class,
      description = "mmse (one network call, best PSNR) or sample (the reverse chain) (default: ${DEFAULT-VALUE}).")
  DenoiseMode mode;

  @Option(names = "--steps", description = "Network calls in sample mode (default 10).")
  Integer steps;

  @Option(names = "--seed", description = "Seed of sample mode (default 0).")
  Long seed;

  @Option(names = "--tile", description = "Tile side (default: the model's training size).")
  Integer tile;

  @Option(names = "--max-batch", defaultValue = "8", description = "Images per batch (default: ${DEFAULT-VALUE}).")
  int maxBatch;

  @Option(names = "--parallelism", defaultValue = "1", description = "Parallel denoisers (one model each; default: ${DEFAULT-VALUE}).")
  int parallelism;

  @Option(names = "--retry-rejected", description = "Try inputs an earlier run rejected again.")
  boolean retryRejected;

  @Option(names = "--prometheus", paramLabel = "PORT",
      description = "Local run: expose the job's metrics for Prometheus at http://localhost:PORT/metrics"
          + " (on a cluster, set config/flink/prometheus.yaml in its configuration).")
  String prometheus;

  @Option(names = "--jobmanager", paramLabel = "HOST:PORT",
      description = "Submit to this Flink cluster (its REST address) instead of running locally.")
  String jobmanager;

  @Override
  public Integer call() throws Exception {
    PrintWriter stdout = spec.commandLine().getOut();
    Double s = parseSigma();
    if (maxBatch < 1) {
      throw new ParameterException(spec.commandLine(), "--max-batch: must be >= 1, got " + maxBatch);
    }
    if (parallelism < 1 || parallelism > 128) {
      throw new ParameterException(spec.commandLine(), "--parallelism: must be in [1, 128], got " + parallelism);
    }
    if (!Files.isRegularFile(model.resolve(ModelArtifact.MANIFEST))) {
      throw new ParameterException(spec.commandLine(), "--model: no model at " + model + " ("
          + ModelArtifact.MANIFEST + " missing); train one with diffad train");
    }
    ModelManifest m = ModelArtifact.readManifest(model);
    if (m.isSeries()) {
      throw new ParameterException(spec.commandLine(), "--model: " + m.name()
          + " is a sensor model; the batch job denoises images");
    }
    if (!Files.isDirectory(input)) {
      throw new ParameterException(spec.commandLine(), "--input: not a folder: " + input);
    }
    EngineConfig d = EngineConfig.defaults();
    int stepsValue = steps != null ? steps : d.steps();
    EngineConfig engine = d.toBuilder().tStar(Math.max(d.tStar(), stepsValue)).steps(stepsValue)
        .seed(seed).tileSize(tile).build();
    BatchJob job;
    try {
      job = BatchJob.builder().model(model).input(input).output(out).sigma(s).mode(mode)
          .engine(engine).maxBatch(maxBatch).parallelism(parallelism).retryRejected(retryRejected)
          .build();
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--out: " + e.getMessage());
    }

    FlinkEnvironments.Placement at;
    try {
      at = FlinkEnvironments.place(jobmanager, BatchCommand.class, parallelism, new Configuration(),
          prometheus);
    } catch (FlinkEnvironments.JobManagerException e) {
      throw new ParameterException(spec.commandLine(), "--jobmanager: " + e.getMessage());
    }
    StreamExecutionEnvironment env = at.env();
    BatchJob.Preparation p = job.prepare();
    if (p.done() + p.rejected() + p.redo() + p.tempFilesRemoved() > 0) {
      stdout.printf("diffad batch: from earlier runs: %d complete, %d rejected; %d to do again, %d"
          + " temporary files removed%n", p.done(), p.rejected(), p.redo(), p.tempFilesRemoved());
    }
    stdout.println("diffad batch: " + input + " -> " + job.denoisedDir() + ", running " + at.where());
    stdout.flush();
    job.wire(env);
    JobExecutionResult r = env.execute(job.jobName());
    long denoised = count(r, DenoiseFunction.DENOISED);
    long skipped = count(r, SkipCompleted.SKIPPED);
    long taken = count(r, Progress.INPUTS);
    long rejected = count(r, Progress.OUTPUTS) - denoised;
    stdout.printf("diffad batch: %d images: %d denoised, %d rejected, %d already complete (%.1f s);"
        + " records in %s and %s%n", taken + skipped, denoised, rejected, skipped,
        r.getNetRuntime() / 1000.0, job.scoresFile(), job.rejectedFile());
    stdout.flush();
    return DiffadCli.EXIT_OK;
  }

  private Double parseSigma() {
    if (sigma.equalsIgnoreCase("auto")) {
      return null;
    }
    double v;
    try {
      v = Double.parseDouble(sigma);
    } catch (NumberFormatException e) {
      v = Double.NaN;
    }
    if (!(v >= 0) || !Double.isFinite(v)) {
      throw new ParameterException(spec.commandLine(), "--sigma: must be auto or a number >= 0, got '" + sigma + "'");
    }
    return v;
  }

  private static long count(JobExecutionResult r, String name) {
    try {
      Object v = r.getAccumulatorResult(name);
      return v instanceof Number n ? n.longValue() : 0L;
    } catch (RuntimeException e) {
      return 0L; // a detached submission has no results
    }
  }
}
