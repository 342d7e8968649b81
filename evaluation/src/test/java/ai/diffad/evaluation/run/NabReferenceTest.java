package ai.diffad.evaluation.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.diffad.evaluation.data.NabDataset;
import ai.diffad.evaluation.data.NabDataset.NabSeries;
import ai.diffad.evaluation.data.NabResults;
import ai.diffad.evaluation.data.RealData;
import ai.diffad.evaluation.metrics.NabProfile;
import ai.diffad.evaluation.metrics.NabScorer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Cross-checks our NAB scorer against NAB's published outputs ({@code shared/data/nab/reference},
 * see its MANIFEST): each detector's per-row {@code anomaly_score}, scored at the threshold in
 * {@code config/thresholds.json}, reproduces NAB's per-series scores and their total
 * ({@code <detector>_<profile>_scores.csv}, written by NAB's scorer with those results), the raw
 * score in {@code thresholds.json} and the normalised scoreboard figure
 * ({@code results/final_results.json}), for both detectors and all three profiles.
 *
 * <p>One exception, in NAB's own files: {@code thresholds.json}'s raw scores for windowedGaussian
 * (-44.75, -88.00, -98.75) are stale. They normalise to 30.71, 12.07 and 38.29, not to the
 * scoreboard's 39.65, 20.87 and 47.41, while the totals of NAB's own per-series score files
 * (-24.0131, -67.5863, -67.0131) do; for that detector the test asserts that inconsistency
 * instead of the stale figure. Skipped when the shared data is absent.
 */
class NabReferenceTest {
  /** The first field of the total's row in NAB's per-series score files. */
  private static final String TOTALS = "Totals";
  /** Detectors whose raw scores in thresholds.json NAB did not update with their results. */
  private static final Set<String> STALE_THRESHOLD_SCORES =
      Set.of("windowedGaussian");
  private static List<NabSeries> corpus;
  private static Path reference;
  private static JsonNode thresholds;
  private static JsonNode finals;
  private static final Map<String, List<double[]>> SCORES = new HashMap<>();

  @BeforeAll
  static void load() throws IOException {
    Path nab = RealData.dir("nab");
    reference = nab.resolve("reference");
    if (!Files.isDirectory(reference)) {
      return;
    }
    corpus = NabDataset.open(nab);
    ObjectMapper json = new ObjectMapper();
    thresholds = json.readTree(reference.resolve("config/thresholds.json").toFile());
    finals = json.readTree(reference.resolve("results/final_results.json").toFile());
  }

  static Stream<Arguments> cases() {
    return Stream.of("windowedGaussian", "numenta").flatMap(d -> NabResultsEvaluation.PROFILES
        .stream().map(p -> Arguments.of(d, p)));
  }

  private static synchronized List<double[]> scores(String detector) throws IOException {
    List<double[]> s = SCORES.get(detector);
    if (s == null) {
      s = NabResults.read(reference.resolve("results").resolve(detector), corpus);
      SCORES.put(detector, s);
    }
    return s;
  }

  /** Skips without the reference data. */
  private static void assumeReference() {
    assumeTrue(corpus != null, RealData.dir("nab").resolve("reference")
        + " not present (set DIFFAD_SHARED or check out beside ../shared): skipped");
  }

  /** The detector's figures for one profile at a threshold (empty: optimised). */
  private static NabResultsEvaluation.ProfileResult score(String detector, NabProfile profile,
      OptionalDouble threshold) throws IOException {
    return NabResultsEvaluation.evaluate(corpus, scores(detector), threshold)
        .get(profile.name());
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  void reproducesNabsRawPerSeriesAndNormalisedScores(String detector, NabProfile profile)
      throws IOException {
    assumeReference();
    JsonNode t = thresholds.get(detector).get(profile.name());
    NabResultsEvaluation.ProfileResult r = score(detector, profile,
        OptionalDouble.of(t.get("threshold").asDouble()));

    Map<String, Double> perSeries = perSeriesScores(detector, profile);
    assertThat(perSeries).hasSize(corpus.size() + 1);
    for (int i = 0; i < corpus.size(); i++) {
      NabScorer.SeriesScore s = r.series().get(i);
      assertThat(s.raw()).as("%s %s %s", detector, profile.name(), corpus.get(i).key())
          .isCloseTo(perSeries.get(corpus.get(i).key()), within(1e-6));
    }
    assertThat(r.raw()).as("raw, Totals of the per-series scores")
        .isCloseTo(perSeries.get(TOTALS), within(1e-6));
    double published = finals.get(detector).get(profile.name()).asDouble();
    assertThat(r.normalised()).as("normalised, final_results.json")
        .isCloseTo(published, within(0.01));
    double optimiserRaw = t.get("score").asDouble();
    if (STALE_THRESHOLD_SCORES.contains(detector)) {
      // NAB's own figures disagree: its optimiser's raw score does not normalise to its
      // scoreboard figure, which our raw score does.
      double nullRaw = -profile.fnWeight() * 116;
      double fromStale = 100 * (optimiserRaw - nullRaw) / (116 * profile.tpWeight() - nullRaw);
      assertThat(Math.abs(fromStale - published)).as("stale thresholds.json entry")
          .isGreaterThan(1.0);
    } else {
      assertThat(r.raw()).as("raw, thresholds.json").isCloseTo(optimiserRaw, within(0.01));
    }
  }

  /** NAB's per-series raw scores: File and Score of {@code <detector>_<profile>_scores.csv}. */
  private static Map<String, Double> perSeriesScores(String detector, NabProfile profile)
      throws IOException {
    Path csv = reference.resolve("results").resolve(detector)
        .resolve(detector + "_" + profile.name() + "_scores.csv");
    Map<String, Double> out = new HashMap<>();
    try (BufferedReader r = Files.newBufferedReader(csv)) {
      List<String> header = List.of(r.readLine().split(","));
      int file = header.indexOf("File");
      int score = header.indexOf("Score");
      String line;
      while ((line = r.readLine()) != null) {
        String[] f = line.split(",", -1);
        out.put(f[0].equals(TOTALS) ? TOTALS : f[file], Double.parseDouble(f[score]));
      }
    }
    return out;
  }

  /**
   * NAB's optimiser is exact over the corpus' distinct scores (sweeper.py); ours too, so its
   * optimum is at least the score at NAB's published threshold (older NAB releases optimised
   * with a local search, hence thresholds such as 0.5421876907348634).
   */
  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  void optimisedThresholdScoresAtLeastNabsThreshold(String detector, NabProfile profile)
      throws IOException {
    assumeReference();
    double threshold = thresholds.get(detector).get(profile.name()).get("threshold").asDouble();
    NabResultsEvaluation.ProfileResult atNab = score(detector, profile,
        OptionalDouble.of(threshold));
    NabResultsEvaluation.ProfileResult best = score(detector, profile, OptionalDouble.empty());
    System.out.printf(java.util.Locale.ROOT, "%s %s: at NAB's threshold %s raw %.4f normalised "
            + "%.2f; optimised threshold %s raw %.4f normalised %.2f%n", detector, profile.name(),
        threshold, atNab.raw(), atNab.normalised(), best.threshold(), best.raw(),
        best.normalised());
    assertThat(best.raw()).isGreaterThanOrEqualTo(atNab.raw() - 1e-9);
  }
}
