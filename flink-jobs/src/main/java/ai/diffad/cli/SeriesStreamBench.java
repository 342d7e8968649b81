package ai.diffad.cli;

import ai.diffad.config.EngineConfig;
import ai.diffad.config.OnlineConfig;
import ai.diffad.denoise.data.InMemoryTrainingSet;
import ai.diffad.denoise.data.NabTrainingSet;
import ai.diffad.denoise.io.DailyContext;
import ai.diffad.denoise.io.Windows;
import ai.diffad.denoise.record.JsonLines;
import ai.diffad.denoise.run.ScoreRun;
import ai.diffad.evaluation.data.NabDataset;
import ai.diffad.flink.FlinkEnvironments;
import ai.diffad.flink.StreamJob;
import ai.diffad.model.artifact.LoadedModel;
import ai.diffad.model.artifact.ModelArtifact;
import ai.diffad.model.artifact.ModelManifest;
import ai.diffad.model.train.OnlineTuner;
import ai.diffad.model.util.FileTrees;
import ai.djl.engine.Engine;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * {@code bench series-stream}: rows per second of series scored by the streaming job, with and
 * without online learning. The first {@code --count} NAB series (normalised by their own
 * probationary part, as the NAB evaluation does) are cut into inputs of {@code --chunk} rows,
 * one folder (= one source) per series, and scored by a bounded streaming job (directory source,
 * parallelism 1, JSON-lines sinks) with the model's own engine; rows/s is measured from the first
 * to the last record's time stamp, so the cluster's start is not in it. With {@code
 * --online-every}, the job learns online per source; the cost of the updates per 1,000 rows is
 * also measured in-process ({@link OnlineTuner#update} on the first series' rows, median of 5).
 */
final class SeriesStreamBench {
  private SeriesStreamBench() {}

  static int run(Path modelDir, Path dataset, int count, int chunk, OnlineConfig online,
      PrintWriter o) throws Exception {
    ModelManifest m = ModelArtifact.readManifest(modelDir);
    if (!m.isSeries() || m.config().data().valueChannels() != 1) {
      throw new IllegalArgumentException("bench series-stream needs a series model of one value"
          + " channel (NAB series have one value), got " + m.name());
    }
    // A model with a daily context gets it as a second column, built from the whole series
    // (what the NAB evaluation gives it), so each input carries its earlier days' context.
    int channels = m.config().data().channels();
    int window = m.config().data().size();
    if (chunk < window) {
      throw new IllegalArgumentException("--chunk " + chunk + " is shorter than the model's"
          + " window " + window);
    }
    List<NabDataset.NabSeries> corpus = NabDataset.open(dataset);
    corpus = corpus.subList(0, Math.min(count, corpus.size()));
    Path tmp = Files.createTempDirectory("diffad-series-stream");
    try {
      Path in = Files.createDirectories(tmp.resolve("in"));
      long rows = 0;
      int inputs = 0;
      float[] first = null;
      for (int s = 0; s < corpus.size(); s++) {
        float[] norm = NabTrainingSet.normalise(corpus.get(s).values());
        int n = norm.length;
        float[] series = channels == 1 ? norm : DailyContext.append(norm, 1, n,
            DailyContext.rowsPerDay(corpus.get(s).timestamps()));
        if (first == null) {
          first = series;
        }
        Path folder = Files.createDirectories(in.resolve(String.format(Locale.ROOT, "s%02d", s)));
        for (int from = 0; from + chunk <= n; from += chunk) {
          StringBuilder csv = new StringBuilder(channels == 1 ? "value\n" : "value,context\n");
          for (int k = from; k < from + chunk; k++) {
            csv.append(series[k]);
            for (int c = 1; c < channels; c++) {
              csv.append(',').append(series[c * n + k]);
            }
            csv.append('\n');
          }
          Files.writeString(folder.resolve(String.format(Locale.ROOT, "%06d.csv", from)), csv);
          rows += chunk;
          inputs++;
        }
      }
      EngineConfig engine = m.config().engineDefaults();
      o.printf(Locale.ROOT, "series-stream: model %s (%s), %d series as %d inputs of %d rows"
          + " (%d rows); engine t*=%d %s %d steps, map %s; online %s; %d cores, libtorch threads"
          + " %s; %s%n", m.name(), modelDir, corpus.size(), inputs, chunk, rows, engine.tStar(),
          engine.sampler().spelling(), engine.steps(), engine.map().kind().spelling(),
          online == null ? "off" : String.format(Locale.ROOT,
              "every %d rows, %d steps of batch %d, history %d", online.every(), online.steps(),
              online.batchSize(), online.history()),
          Runtime.getRuntime().availableProcessors(),
          System.getProperty("ai.djl.pytorch.num_threads", "default"), Instant.now());
      o.flush();
      Path out = tmp.resolve("out");
      StreamJob job = StreamJob.builder().model(modelDir).input(in).recursive(true).output(out)
          .engine(engine).online(online).parallelism(1).bounded()
          .checkpointDir(tmp.resolve("checkpoints").toString()).build();
      StreamExecutionEnvironment env = FlinkEnvironments.local(new Configuration(), 1,
          FlinkEnvironments.freePort(FlinkEnvironments.WEB_UI_PORT));
      long t0 = System.nanoTime();
      job.execute(env);
      double wall = (System.nanoTime() - t0) / 1e9;
      List<JsonNode> records = JsonLines.readNodes(out.resolve(ScoreRun.SCORES));
      long[] ts = records.stream().mapToLong(r -> Instant.parse(r.get("ts").asText())
          .toEpochMilli()).sorted().toArray();
      double span = ts.length > 1 ? (ts[ts.length - 1] - ts[0]) / 1e3 : Double.NaN;
      double steady = (records.size() - 1) * (double) chunk / span;
      o.printf(Locale.ROOT, "series-stream: %d records of %d inputs in %.1f s wall; first to last"
          + " record %.1f s: %.0f rows/s (%.2f inputs/s)%n", records.size(), inputs, wall, span,
          steady, steady / chunk);
      if (online != null) {
        try (LoadedModel model = ModelArtifact.load(modelDir, Engine.getInstance().defaultDevice());
            OnlineTuner tuner = new OnlineTuner(model, online)) {
          int len = Math.min(first.length / channels, online.history());
          float[] past = Windows.rows(first, channels, 0, len);
          InMemoryTrainingSet set = new InMemoryTrainingSet(List.of(
              new InMemoryTrainingSet.Item(past, 1, len, -1)), channels, "bench");
          double[] ms = new double[6];
          for (int i = 0; i < ms.length; i++) {
            long u0 = System.nanoTime();
            tuner.update(set, i);
            ms[i] = (System.nanoTime() - u0) / 1e6;
          }
          double[] timed = Arrays.copyOfRange(ms, 1, ms.length);
          Arrays.sort(timed);
          double median = timed[timed.length / 2];
          o.printf(Locale.ROOT, "series-stream: one update (%d steps of batch %d) %.1f ms (median"
              + " of 5 after one warm-up); every %d rows: %.1f ms per 1,000 rows%n",
              online.steps(), online.batchSize(), median, online.every(),
              median * 1000.0 / online.every());
        }
      }
      o.flush();
      return records.size() == inputs ? DiffadCli.EXIT_OK : 1;
    } finally {
      FileTrees.deleteTree(tmp);
    }
  }
}
