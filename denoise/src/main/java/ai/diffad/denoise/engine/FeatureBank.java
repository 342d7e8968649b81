package ai.diffad.denoise.engine;

import ai.diffad.config.EngineConfig;
import ai.diffad.config.MapConfig;
import ai.diffad.model.artifact.LoadedModel;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.pooling.Pool;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Normal-data memory for map = knn (PatchCore's idea, Roth et al. 2022, with the diffusion U-Net's
 * own encoder instead of a pretrained ImageNet network, which cannot be had offline): every
 * position of a tile is described by the encoder activations of the chosen levels at step
 * {@code map.featureT} (clean input, no noise), averaged over its 3x3 neighbourhood and upsampled to
 * the finest chosen level; the bank keeps a random sample of such vectors from normal images, and
 * a position's anomaly value is the distance to its nearest neighbour in the bank.
 *
 * <p>Owns a sub-manager of the model's manager; close it before the model.
 */
public final class FeatureBank implements AutoCloseable {
  /** Query rows per distance block (bounds the (rows x bank) distance matrix). */
  private static final int QUERY_BLOCK = 512;

  private final EngineConfig config;
  private final FeatureSource source;
  private final NDManager manager;
  private final NDArray bank;
  private final NDArray bankSquares;
  private final int dims;
  /** (bank, b) indices of each bank vector's b nearest bank vectors, itself first; null: off. */
  private final NDArray neighbours;

  private FeatureBank(EngineConfig config, FeatureSource source, NDManager manager, NDArray bank,
      int reweight) {
    this.config = config;
    this.source = source;
    this.manager = manager;
    this.bank = bank;
    this.dims = (int) bank.getShape().get(1);
    this.bankSquares = bank.square().sum(new int[] {1}).reshape(1, -1);
    this.bankSquares.attach(manager);
    this.neighbours = reweight > 0 ? neighbourTable(Math.min(reweight, size())) : null;
  }

  /** Each bank vector's {@code b} nearest bank vectors (itself first), searched in blocks. */
  private NDArray neighbourTable(int b) {
    long rows = bank.getShape().get(0);
    long[] table = new long[(int) (rows * b)];
    for (long r = 0; r < rows; r += QUERY_BLOCK) {
      long e = Math.min(rows, r + QUERY_BLOCK);
      try (NDManager blk = manager.newSubManager()) {
        NDArray qs = bank.get(r + ":" + e);
        qs.attach(blk);
        NDArray dist = squaredDistances(qs);
        long[] idx = dist.topK(b, 1, false, true).get(1).toType(DataType.INT64, false)
            .toLongArray();
        for (long q = r; q < e; q++) {
          // the row's own index first, whatever rounding says about equal vectors
          int at = (int) ((q - r) * b);
          int self = b - 1;
          for (int k = 0; k < b; k++) {
            if (idx[at + k] == q) {
              self = k;
              break;
            }
          }
          System.arraycopy(idx, at, idx, at + 1, self);
          idx[at] = q;
        }
        System.arraycopy(idx, 0, table, (int) (r * b), (int) ((e - r) * b));
      }
    }
    NDArray t = manager.create(table, new Shape(rows, b));
    return t;
  }

  /** Collects vectors from normal tiles; {@link #build()} samples the bank. */
  public static final class Builder {
    /** Candidates kept for the coreset, in vectors per bank vector (bounded by memory below). */
    private static final int CORESET_CANDIDATES = 10;
    /** Most floats the coreset's candidates may hold (200 MB). */
    private static final long CORESET_FLOATS = 50_000_000L;

    private final LoadedModel model;
    private final EngineConfig config;
    private final MapConfig.Knn knn;
    private FeatureSource source;
    private final int size;
    private final boolean coreset;
    private final long seed;
    private final SplittableRandom rng;
    private final List<float[]> kept = new ArrayList<>();
    private int reservoir = -1;
    private long seen;
    private int dims = -1;

    private Builder(LoadedModel model, EngineConfig config, MapConfig.Knn knn, int size,
        long seed) {
      this.model = model;
      this.config = config;
      this.knn = knn;
      this.size = size;
      this.coreset = knn.sampling().equals("coreset");
      this.seed = seed;
      this.rng = new SplittableRandom(seed);
    }

    /**
     * Adds the positions of normal tiles (reservoir sampling, so the bank is a uniform sample of
     * every position seen).
     *
     * @param tiles (C, H, W) tiles in [-1, 1], all of one size
     */
    public Builder add(List<float[]> tiles, int channels, int height, int width) {
      if (source == null) { // opened on first use, so that an unused builder holds nothing
        source = FeatureSource.of(model, knn.featureT(), knn.levels(), knn.backbone());
      }
      int batch = Math.max(1, config.batchFor((long) height * width));
      for (int from = 0; from < tiles.size(); from += batch) {
        List<float[]> part = tiles.subList(from, Math.min(tiles.size(), from + batch));
        try (NDManager m = model.manager().newSubManager()) {
          NDArray v = vectors(source, m, part, channels, height, width);
          dims = (int) v.getShape().get(1);
          if (reservoir < 0) {
            reservoir = coreset ? (int) Math.max(size, Math.min((long) size * CORESET_CANDIDATES,
                CORESET_FLOATS / dims)) : size;
          }
          float[] flat = v.toFloatArray();
          int rows = (int) v.getShape().get(0);
          for (int r = 0; r < rows; r++) {
            seen++;
            int slot = kept.size() < reservoir ? kept.size() : (int) Math.min(Integer.MAX_VALUE,
                rng.nextLong(seen));
            if (slot < reservoir) {
              float[] row = new float[dims];
              System.arraycopy(flat, r * dims, row, 0, dims);
              if (slot == kept.size()) {
                kept.add(row);
              } else {
                kept.set(slot, row);
              }
            }
          }
        }
      }
      return this;
    }

    /** How many vectors were offered. */
    public long seen() {
      return seen;
    }

    /** The bank (it owns the feature source from here on). */
    public FeatureBank build() {
      if (kept.isEmpty()) {
        if (source != null) {
          source.close();
        }
        throw new IllegalStateException("no normal tiles were added to the feature bank");
      }
      float[] flat = new float[kept.size() * dims];
      for (int i = 0; i < kept.size(); i++) {
        System.arraycopy(kept.get(i), 0, flat, i * dims, dims);
      }
      NDManager m = model.manager().newSubManager();
      NDArray bank = m.create(flat, new Shape(kept.size(), dims));
      if (coreset && kept.size() > size) {
        NDArray picked = bank.get(m.create(Coreset.greedy(bank, size, seed)));
        picked.attach(m);
        bank.close();
        bank = picked;
      }
      return new FeatureBank(config, source, m, bank, knn.reweight());
    }
  }

  /**
   * Starts a bank.
   *
   * @param size vectors kept (a uniform sample of all positions offered)
   * @param seed sampling seed
   */
  public static Builder builder(LoadedModel model, EngineConfig config, MapConfig.Knn knn,
      int size, long seed) {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(knn, "knn");
    if (size < 1) {
      throw new IllegalArgumentException("size must be >= 1, got " + size);
    }
    return new Builder(model, config, knn, size, seed);
  }

  /** Vectors in the bank. */
  public int size() {
    return (int) bank.getShape().get(0);
  }

  /** What the vectors were computed with (the bank's header: encoder or backbone settings). */
  public String featureSource() {
    return source.describe();
  }

  /** Length of each vector. */
  public int dims() {
    return dims;
  }

  /**
   * Nearest-neighbour distance maps of tiles, each upsampled to the tile size.
   *
   * @param tiles (C, H, W) tiles in [-1, 1], all of one size
   * @return one (H, W) map per tile
   */
  public float[][] distances(float[][] tiles, int channels, int height, int width) {
    float[][] out = new float[tiles.length][];
    int batch = Math.max(1, config.batchFor((long) height * width));
    for (int from = 0; from < tiles.length; from += batch) {
      int b = Math.min(batch, tiles.length - from);
      try (NDManager m = manager.newSubManager()) {
        List<float[]> part = List.of(tiles).subList(from, from + b);
        NDArray grid = features(source, m, part, channels, height, width);
        long fh = grid.getShape().get(2);
        long fw = grid.getShape().get(3);
        NDArray q = grid.transpose(0, 2, 3, 1).reshape(-1, dims);
        long rows = q.getShape().get(0);
        float[] d = new float[(int) rows];
        for (long r = 0; r < rows; r += QUERY_BLOCK) {
          long e = Math.min(rows, r + QUERY_BLOCK);
          try (NDManager blk = m.newSubManager()) {
            NDArray qs = q.get(r + ":" + e);
            qs.attach(blk);
            NDArray dist = squaredDistances(qs);
            NDArray min = dist.min(new int[] {1}).maximum(0f).sqrt();
            if (neighbours != null) {
              min = min.mul(weights(qs, dist.argMin(1)));
            }
            System.arraycopy(min.toFloatArray(), 0, d, (int) r, (int) (e - r));
          }
        }
        int per = (int) (fh * fw);
        for (int i = 0; i < b; i++) {
          float[] one = new float[per];
          System.arraycopy(d, i * per, one, 0, per);
          out[from + i] = Resampling.bilinear(one, 1, (int) fh, (int) fw, height, width);
        }
      }
    }
    return out;
  }

  /** (rows, bank) squared distances of query rows to every bank vector, |q|² + |m|² − 2 q·m. */
  private NDArray squaredDistances(NDArray qs) {
    return qs.square().sum(new int[] {1}, true).add(bankSquares)
        .sub(qs.matMul(bank.transpose()).mul(2f));
  }

  /**
   * PatchCore's re-weighting (Roth et al. 2022, eq. 7): 1 - softmax over the b nearest bank
   * neighbours m of the query's nearest bank vector m* of the distances |q - m|, taken at m*: near
   * 1 when m* lies apart from the rest of the bank (a rare normal pattern is trusted less), near
   * 1 - 1/b inside a dense cluster.
   */
  private NDArray weights(NDArray qs, NDArray nearest) {
    long rows = qs.getShape().get(0);
    int b = (int) neighbours.getShape().get(1);
    NDArray support = bank.get(neighbours.get(nearest).reshape(-1)).reshape(rows, b, dims);
    NDArray dist = support.sub(qs.expandDims(1)).square().sum(new int[] {2}).sqrt();
    return dist.softmax(1).get(":, 0").neg().add(1f);
  }

  /** (positions, D) vectors of a batch of tiles. */
  static NDArray vectors(FeatureSource source, NDManager m, List<float[]> tiles, int channels,
      int height, int width) {
    NDArray grid = features(source, m, tiles, channels, height, width);
    long d = grid.getShape().get(1);
    return grid.transpose(0, 2, 3, 1).reshape(-1, d);
  }

  /**
   * (N, D, Hf, Wf): each level's features averaged over their 3x3 neighbourhood, brought to the
   * finest level's grid (repeated when the ratio is a power of two, as the encoder's levels are,
   * else bilinearly, as a backbone's may be) and concatenated.
   */
  static NDArray features(FeatureSource source, NDManager m, List<float[]> tiles, int channels,
      int height, int width) {
    int n = tiles.size();
    int per = channels * height * width;
    float[] packed = new float[n * per];
    for (int i = 0; i < n; i++) {
      System.arraycopy(tiles.get(i), 0, packed, i * per, per);
    }
    NDArray x = m.create(packed, new Shape(n, channels, height, width));
    NDList levels = source.features(m, x);
    long fh = 0;
    long fw = 0;
    for (NDArray a : levels) {
      fh = Math.max(fh, a.getShape().get(2));
      fw = Math.max(fw, a.getShape().get(3));
    }
    NDList parts = new NDList();
    for (NDArray l : levels) {
      NDArray a = Pool.avgPool2d(l, new Shape(3, 3), new Shape(1, 1), new Shape(1, 1), false,
          false);
      long h = a.getShape().get(2);
      long w = a.getShape().get(3);
      while (h < fh && w < fw && h * 2 <= fh && w * 2 <= fw && fh % h == 0 && fw % w == 0
          && Long.bitCount(fh / h) == 1) {
        a = a.repeat(2, 2).repeat(3, 2);
        h *= 2;
        w *= 2;
      }
      if (h != fh || w != fw) {
        a = upsample(m, a, (int) fh, (int) fw);
      }
      parts.add(a);
    }
    return parts.size() == 1 ? parts.singletonOrThrow() : NDArrays.concat(parts, 1);
  }

  /** Bilinear upsampling of (N, D, h, w) to (N, D, H, W). */
  private static NDArray upsample(NDManager m, NDArray a, int nh, int nw) {
    Shape s = a.getShape();
    int n = (int) s.get(0);
    int d = (int) s.get(1);
    int h = (int) s.get(2);
    int w = (int) s.get(3);
    float[] v = a.toFloatArray();
    float[] out = new float[n * d * nh * nw];
    for (int i = 0; i < n; i++) {
      float[] one = java.util.Arrays.copyOfRange(v, i * d * h * w, (i + 1) * d * h * w);
      System.arraycopy(Resampling.bilinear(one, d, h, w, nh, nw), 0, out, i * d * nh * nw,
          d * nh * nw);
    }
    return m.create(out, new Shape(n, d, nh, nw));
  }

  /** The bank's file in the model directory (listed with its SHA-256 in model.json). */
  public static final String FILE = "maps/knn-bank.bin";
  private static final int MAGIC = 0x44464B42; // "DFKB"
  private static final int FORMAT = 1;

  /** The bank as the bytes of {@value #FILE}: a header with its settings, then the vectors. */
  public byte[] toBytes() {
    float[] v = bank.toFloatArray();
    byte[] h = source.describe().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(4 * 4 + h.length + 8 + 4 * v.length)
        .order(java.nio.ByteOrder.LITTLE_ENDIAN);
    buf.putInt(MAGIC).putInt(FORMAT).putInt(h.length).put(h);
    buf.putInt(size()).putInt(dims).putInt(0);
    buf.asFloatBuffer().put(v);
    return buf.array();
  }

  /**
   * A bank read back from {@link #toBytes()}.
   *
   * @param model the model whose manager holds the bank (borrowed; close the bank before it)
   * @param config the engine settings it is used with
   * @param knn the map settings it is used with
   * @param bytes the file's content
   * @throws ai.diffad.config.ConfigException (field map) if the bank was built with other encoder
   *     settings than {@code config}'s
   * @throws IllegalArgumentException if the bytes are not a bank
   */
  public static FeatureBank fromBytes(LoadedModel model, EngineConfig config, MapConfig.Knn knn,
      byte[] bytes) {
    java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    if (bytes.length < 12 || buf.getInt() != MAGIC || buf.getInt() != FORMAT) {
      throw new IllegalArgumentException(FILE + " is not a diffad feature bank (format " + FORMAT
          + ")");
    }
    byte[] h = new byte[buf.getInt()];
    buf.get(h);
    String header = new String(h, java.nio.charset.StandardCharsets.UTF_8);
    FeatureSource source = FeatureSource.of(model, knn.featureT(), knn.levels(), knn.backbone());
    String expected = source.describe();
    if (!header.equals(expected)) {
      source.close();
      throw new ai.diffad.config.ConfigException("map", "the model's k-NN bank (" + FILE
          + ") was built with " + header.replace(';', ' ') + ", these settings are "
          + expected.replace(';', ' ') + "; a bank is only served with the features it was built"
          + " from (backbone and its weights' SHA-256 included): rebuild it with diffad calibrate"
          + " --map knn --fit-data DIR and these settings");
    }
    int rows = buf.getInt();
    int d = buf.getInt();
    buf.getInt();
    float[] v = new float[rows * d];
    buf.asFloatBuffer().get(v);
    NDManager m = model.manager().newSubManager();
    return new FeatureBank(config, source, m, m.create(v, new Shape(rows, d)), knn.reweight());
  }

  @Override
  public void close() {
    manager.close();
    source.close();
  }
}
