package ai.diffad.model.sampler;

import static org.assertj.core.api.Assertions.assertThat;

import ai.diffad.config.PredictionType;
import ai.diffad.config.SamplerKind;
import ai.diffad.config.ScheduleConfig;
import ai.diffad.config.ScheduleKind;
import ai.diffad.model.NetworkFn;
import ai.diffad.model.schedule.NoiseSchedule;
import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReverseProcessTest {
  private static final NoiseSchedule LINEAR =
      NoiseSchedule.of(ScheduleConfig.of(ScheduleKind.LINEAR, 1000));

  /** A network that predicts zero noise after a few throwaway intermediate ops. */
  private static final NetworkFn WASTEFUL = (x, t, labels) -> {
    NDArray a = x.mul(2);
    NDArray b = a.add(1);
    return b.mul(0);
  };

  @Test
  void longLoopsLeaveOnlyTheResultsInTheCallersManager() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray xStart = m.randomNormal(new Shape(2, 3, 8, 8));
      int before = ((BaseNDManager) m).getManagedArrays().size();
      Sampler ddpm = Samplers.create(SamplerKind.DDPM, LINEAR, PredictionType.EPSILON);

      ReverseProcess.Result r = new ReverseProcess(ddpm).run(WASTEFUL, 300, 999, xStart, null, 1);

      assertThat(((BaseNDManager) m).getManagedArrays()).hasSize(before + 2);
      assertThat(r.x0().getManager()).isSameAs(m);
      assertThat(r.firstPredictedX0().getManager()).isSameAs(m);
      assertThat(xStart.isReleased()).isFalse();
    }
  }

  @Test
  void networkGetsFloat32TimestepsPerSampleAndTheLabels() {
    List<float[]> seenT = new ArrayList<>();
    List<int[]> seenLabels = new ArrayList<>();
    NetworkFn spy = (x, t, labels) -> {
      seenT.add(t.toFloatArray());
      assertThat(t.getDataType()).isEqualTo(DataType.FLOAT32);
      seenLabels.add(labels.toIntArray());
      return x.zerosLike();
    };
    try (NDManager m = NDManager.newBaseManager()) {
      Sampler ddim = Samplers.create(SamplerKind.DDIM, LINEAR, PredictionType.EPSILON);
      new ReverseProcess(ddim).run(spy, 3, 999, m.zeros(new Shape(2, 4)),
          m.create(new int[] {3, 7}), 0);
    }

    assertThat(seenT).hasSize(3);
    assertThat(seenT.get(0)).containsExactly(999f, 999f);
    assertThat(seenT.get(1)).containsExactly(666f, 666f);
    assertThat(seenLabels.get(2)).containsExactly(3, 7);
  }

  @Test
  void sameSeedGivesTheSameStochasticRunAndAnotherSeedDoesNot() {
    Sampler ddpm = Samplers.create(SamplerKind.DDPM, LINEAR, PredictionType.EPSILON);
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray xStart = m.randomNormal(new Shape(1, 16));
      ReverseProcess rp = new ReverseProcess(ddpm);

      float[] a = rp.run(WASTEFUL, 10, 500, xStart, null, 7).x0().toFloatArray();
      float[] b = rp.run(WASTEFUL, 10, 500, xStart, null, 7).x0().toFloatArray();
      float[] c = rp.run(WASTEFUL, 10, 500, xStart, null, 8).x0().toFloatArray();

      assertThat(a).containsExactly(b);
      assertThat(a).isNotEqualTo(c);
    }
  }
}
