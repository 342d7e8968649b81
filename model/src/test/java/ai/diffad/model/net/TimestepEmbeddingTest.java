package ai.diffad.model.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.Test;

class TimestepEmbeddingTest {

  @Test
  void sinusoidalFeaturesMatchDiffusersWithCosFirst() {
    // diffusers get_timestep_embedding(tensor([1.]), 4, flip_sin_to_cos=True,
    // downscale_freq_shift=0): freqs [1, 0.01] -> [cos 1, cos 0.01, sin 1, sin 0.01]
    try (NDManager m = NDManager.newBaseManager()) {
      float[] got = TimestepEmbedding.sinusoidal(m.create(new float[] {1f}), 4).toFloatArray();
      assertThat(got).containsExactly(
          new float[] {0.5403023f, 0.99995f, 0.84147096f, 0.009999833f}, within(1e-6f));
    }
  }

  @Test
  void sinusoidalFeaturesMatchTheFormulaForManyTimestepsAndAnOddWidth() {
    float[] ts = {0f, 3f, 17.5f, 999f};
    int dim = 7;
    int half = 3;
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray e = TimestepEmbedding.sinusoidal(m.create(ts), dim);
      assertThat(e.getShape()).isEqualTo(new Shape(4, dim));
      float[] got = e.toFloatArray();
      for (int r = 0; r < ts.length; r++) {
        for (int i = 0; i < half; i++) {
          double arg = ts[r] * Math.exp(-Math.log(10000) * i / half);
          assertThat((double) got[r * dim + i]).isCloseTo(Math.cos(arg), within(2e-4));
          assertThat((double) got[r * dim + half + i]).isCloseTo(Math.sin(arg), within(2e-4));
        }
        assertThat(got[r * dim + dim - 1]).isZero();
      }
    }
  }

  @Test
  void missingLabelsMeanTheNullTokenAndDifferentLabelsDiffer() {
    try (NDManager m = NDManager.newBaseManager()) {
      TimestepEmbedding emb = new TimestepEmbedding(8, 16, 3);
      emb.initialize(m, DataType.FLOAT32, new Shape(2), new Shape(2));
      ParameterStore ps = new ParameterStore(m, false);
      NDArray t = m.create(new float[] {5f, 5f});
      NDArray none = emb.forward(ps, new NDList(t), false).singletonOrThrow();
      NDArray nullToken =
          emb.forward(ps, new NDList(t, m.create(new int[] {3, 3})), false).singletonOrThrow();
      NDArray labelled =
          emb.forward(ps, new NDList(t, m.create(new int[] {0, 1})), false).singletonOrThrow();
      assertThat(none.toFloatArray()).containsExactly(nullToken.toFloatArray());
      assertThat(labelled.get(0).sub(labelled.get(1)).abs().max().getFloat()).isGreaterThan(1e-3f);
    }
  }
}
