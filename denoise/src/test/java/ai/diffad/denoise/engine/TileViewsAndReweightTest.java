package ai.diffad.denoise.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.diffad.config.ConfigException;
import ai.diffad.config.EngineConfig;
import ai.diffad.config.MapConfig;
import ai.diffad.config.MapKind;
import ai.diffad.config.TileViews;
import ai.diffad.model.artifact.LoadedModel;
import ai.diffad.model.artifact.ModelArtifact;
import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Test-time views (tiling.views) around any mapper, and PatchCore's re-weighting of the k-NN map
 * (map.reweight), each against a hand computation.
 */
class TileViewsAndReweightTest {
  private static final int SIZE = EngineFixtures.SIZE;
  @TempDir static Path dir;
  private static LoadedModel model;

  @BeforeAll
  static void tinyModel() {
    model = ModelArtifact.load(EngineFixtures.train(dir.resolve("stripes"), 20).artifact(),
        Device.cpu());
  }

  @AfterAll
  static void close() {
    if (model != null) {
      model.close();
    }
  }

  /** The 2x3 array 1..6 turned a quarter counter-clockwise, half, three quarters, mirrored. */
  @Test
  void viewsTurnCounterClockwiseThenMirrorAndUnviewUndoesThem() {
    float[] a = {1, 2, 3, 4, 5, 6}; // rows [1 2 3] [4 5 6]
    assertThat(TileViewMapper.view(a, 1, 2, 3, 1, false)).containsExactly(3, 6, 2, 5, 1, 4);
    assertThat(TileViewMapper.view(a, 1, 2, 3, 2, false)).containsExactly(6, 5, 4, 3, 2, 1);
    assertThat(TileViewMapper.view(a, 1, 2, 3, 3, false)).containsExactly(4, 1, 5, 2, 6, 3);
    assertThat(TileViewMapper.view(a, 1, 2, 3, 0, true)).containsExactly(3, 2, 1, 6, 5, 4);
    assertThat(TileViewMapper.view(a, 1, 2, 3, 1, true)).containsExactly(6, 3, 5, 2, 4, 1);
    // two channels are viewed alike
    float[] two = {1, 2, 3, 4, 5, 6, 10, 20, 30, 40, 50, 60};
    assertThat(TileViewMapper.view(two, 2, 2, 3, 1, false))
        .containsExactly(3, 6, 2, 5, 1, 4, 30, 60, 20, 50, 10, 40);
    SplittableRandom rng = new SplittableRandom(3);
    float[] sq = new float[5 * 5];
    for (int i = 0; i < sq.length; i++) {
      sq[i] = (float) rng.nextDouble();
    }
    for (int[] v : TileViews.D4.views()) {
      float[] viewed = TileViewMapper.view(sq, 1, 5, 5, v[0], v[1] == 1);
      assertThat(TileViewMapper.unview(viewed, 5, 5, v[0], v[1] == 1)).containsExactly(sq);
    }
    float[] turned = TileViewMapper.view(a, 1, 2, 3, 1, true); // now 3 x 2
    assertThat(TileViewMapper.unview(turned, 3, 2, 1, true)).containsExactly(a);
  }

  /** A mapper whose map is a coordinate of the tile it is given, or the tile itself. */
  private static AnomalyMapper probe(String what) {
    return new AnomalyMapper() {
      @Override
      public boolean needsReconstruction() {
        return false;
      }

      @Override
      public List<float[]> maps(MapBatch batch) {
        int h = batch.tileHeight();
        int w = batch.tileWidth();
        float[][] out = new float[batch.tiles().length][];
        for (int t = 0; t < out.length; t++) {
          float[] m = new float[h * w];
          for (int i = 0; i < h; i++) {
            for (int j = 0; j < w; j++) {
              m[i * w + j] = what.equals("column") ? j : batch.tiles()[t][i * w + j];
            }
          }
          out[t] = m;
        }
        return batch.stitchPerTile(out);
      }
    };
  }

  /**
   * The averaged map of "each pixel's column in the view": (w-1)/2 everywhere over a mirror, and
   * (w+h-2)/4 over the four quarter turns (the column, the row, and their reverses); a map equal to
   * the tile comes back as the tile over all eight views (each view is turned back exactly).
   */
  @Test
  void viewMapsAreTurnedBackAndAveraged() {
    int h = 6;
    int w = 6;
    float[] tile = new float[h * w];
    for (int i = 0; i < tile.length; i++) {
      tile[i] = i * 0.37f - 3;
    }
    MapBatch batch = MapBatch.ofTiles(new float[][] {tile, tile.clone()}, null, 1, h, w);
    float[] mirrored = TileViewMapper.wrap(probe("column"), TileViews.HFLIP).maps(batch).get(1);
    for (float v : mirrored) {
      assertThat(v).isCloseTo((w - 1) / 2f, within(1e-6f));
    }
    float[] turned = TileViewMapper.wrap(probe("column"), TileViews.ROTATIONS).maps(batch).get(0);
    for (float v : turned) {
      assertThat(v).isCloseTo((w + h - 2) / 4f, within(1e-6f));
    }
    float[] plain = TileViewMapper.wrap(probe("column"), TileViews.NONE).maps(batch).get(0);
    assertThat(plain[1]).isEqualTo(1f); // none is the mapper itself
    float[] same = TileViewMapper.wrap(probe("tile"), TileViews.D4).maps(batch).get(0);
    assertThat(same).containsExactly(tile, within(1e-6f));
  }

  /** A texture with a left-to-right ramp, so that its mirror is another image. */
  private static float[] ramp(SplittableRandom rng) {
    float[] t = EngineFixtures.texture(SIZE, rng);
    for (int i = 0; i < SIZE; i++) {
      for (int j = 0; j < SIZE; j++) {
        t[i * SIZE + j] = Math.max(-1f, Math.min(1f, 0.5f * t[i * SIZE + j] + j / (float) SIZE
            - 0.5f));
      }
    }
    return t;
  }

  /**
   * A k-NN bank fitted with hflip views holds the mirrored normal too: the mirror of the one
   * normal image it saw scores zero with views (every position finds itself), clearly above zero
   * without them.
   */
  @Test
  void aBankFittedOnMirroredViewsKnowsTheMirroredNormal() {
    SplittableRandom rng = new SplittableRandom(21);
    float[] normal = ramp(rng);
    float[] mirror = TileViewMapper.view(normal, 1, SIZE, SIZE, 0, true);
    MapConfig.Knn knn = new MapConfig.Knn(MapKind.KNN, 10, List.of(0), 2 * SIZE * SIZE);
    double[] peak = new double[2];
    TileViews[] views = {TileViews.NONE, TileViews.HFLIP};
    for (int v = 0; v < 2; v++) {
      EngineConfig cfg = EngineConfig.builder().map(knn).views(views[v]).smoothSigma(0.0)
          .build();
      AnomalyMappers.Fitter fitter = AnomalyMappers.fitter(model, cfg, 0).orElseThrow();
      fitter.add(new AnomalyEngine.ImageInput("n", normal, 1, SIZE, SIZE),
          new float[][] {normal}, 1, SIZE, SIZE);
      try (AnomalyMapper mapper = fitter.build()) {
        assertThat(mapper instanceof TileViewMapper).isEqualTo(v == 1);
        AnomalyEngine engine = new AnomalyEngine(model, cfg, mapper);
        float[] map = engine.score(mirror, 1, SIZE, SIZE, "m").map();
        for (float x : map) {
          peak[v] = Math.max(peak[v], x);
        }
      }
    }
    assertThat(peak[0]).isGreaterThan(0.05);
    assertThat(peak[1]).isLessThan(0.02 * peak[0]);
  }

  /**
   * map.reweight = b: each position's distance d* to its nearest bank vector m* is multiplied by
   * 1 - exp(d*) / sum over the b nearest bank vectors m of m* (m* included) of exp(|q - m|),
   * recomputed here from the bank's own vectors and the query's features.
   */
  @Test
  void reweightingFollowsPatchCoresFormula() {
    SplittableRandom rng = new SplittableRandom(8);
    List<float[]> normals = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      normals.add(EngineFixtures.texture(SIZE, rng));
    }
    float[] query = EngineFixtures.texture(SIZE, rng);
    EngineFixtures.pasteDefect(query, SIZE, rng);
    int b = 4;
    MapConfig.Knn plain = new MapConfig.Knn(MapKind.KNN, 10, List.of(0), 400, null, "random", 0);
    MapConfig.Knn weighted = new MapConfig.Knn(MapKind.KNN, 10, List.of(0), 400, null, "random",
        b);
    EngineConfig cfg = EngineConfig.builder().map(weighted).smoothSigma(0.0).build();
    float[] got;
    float[] unweighted;
    float[] vectors;
    int dims;
    try (FeatureBank bank = FeatureBank.builder(model, cfg, weighted, 400, 5L)
        .add(normals, 1, SIZE, SIZE).build()) {
      got = bank.distances(new float[][] {query}, 1, SIZE, SIZE)[0];
      dims = bank.dims();
      byte[] bytes = bank.toBytes();
      ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
      buf.position(8);
      buf.position(12 + buf.getInt() + 12);
      vectors = new float[bank.size() * dims];
      buf.asFloatBuffer().get(vectors);
      // the same bank read back without re-weighting gives the plain distances
      try (FeatureBank again = FeatureBank.fromBytes(model, cfg.toBuilder().map(plain).build(),
          plain, bytes)) {
        unweighted = again.distances(new float[][] {query}, 1, SIZE, SIZE)[0];
      }
    }
    float[] q;
    try (NDManager m = model.manager().newSubManager();
        FeatureSource source = FeatureSource.of(model, 10, List.of(0), null)) {
      q = FeatureBank.vectors(source, m, List.of(query), 1, SIZE, SIZE).toFloatArray();
    }
    int rows = vectors.length / dims;
    int checked = 0;
    for (int p = 0; p < SIZE * SIZE; p += 7) {
      double[] d = new double[rows];
      int nearest = 0;
      for (int r = 0; r < rows; r++) {
        d[r] = dist(q, p, vectors, r, dims);
        if (d[r] < d[nearest]) {
          nearest = r;
        }
      }
      double[] dn = new double[rows];
      for (int r = 0; r < rows; r++) {
        dn[r] = dist(vectors, nearest, vectors, r, dims);
      }
      Integer[] order = new Integer[rows];
      for (int r = 0; r < rows; r++) {
        order[r] = r;
      }
      java.util.Arrays.sort(order, (x, y) -> Double.compare(dn[x], dn[y]));
      double sum = 0;
      for (int k = 0; k < b; k++) {
        sum += Math.exp(d[order[k]]);
      }
      double expected = d[nearest] * (1 - Math.exp(d[nearest]) / sum);
      assertThat((double) unweighted[p]).isCloseTo(d[nearest], within(2e-3 * (1 + d[nearest])));
      assertThat((double) got[p]).isCloseTo(expected, within(2e-3 * (1 + d[nearest])));
      checked++;
    }
    assertThat(checked).isGreaterThan(100);
  }

  private static double dist(float[] a, int i, float[] b, int j, int dims) {
    double s = 0;
    for (int k = 0; k < dims; k++) {
      double x = a[i * dims + k] - b[j * dims + k];
      s += x * x;
    }
    return Math.sqrt(s);
  }
}
