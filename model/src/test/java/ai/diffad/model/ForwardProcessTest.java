package ai.diffad.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.diffad.config.PredictionType;
import ai.diffad.config.ScheduleConfig;
import ai.diffad.config.ScheduleKind;
import ai.diffad.model.schedule.NoiseSchedule;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ForwardProcessTest {
  private static final NoiseSchedule LINEAR =
      NoiseSchedule.of(ScheduleConfig.of(ScheduleKind.LINEAR, 1000));
  private final ForwardProcess forward = new ForwardProcess(LINEAR);
  private NDManager m;

  @BeforeEach
  void open() {
    m = NDManager.newBaseManager();
  }

  @AfterEach
  void close() {
    m.close();
  }

  @Test
  void addNoiseUsesTheSquareRootsOfAlphaBarNotAlphaBarItself() {
    double[] x0 = {0.5, -1.0, 0.25, 1.0};
    double[] eps = {1.0, 0.5, -2.0, 0.0};
    int t = 500;
    // alphaBar_500 of the linear schedule (numpy golden value).
    double ab = 0.07779665836502389;

    double[] out =
        forward.addNoise(m.create(x0, new Shape(1, 4)), m.create(eps, new Shape(1, 4)), t)
            .toDoubleArray();

    for (int i = 0; i < 4; i++) {
      double expected = Math.sqrt(ab) * x0[i] + Math.sqrt(1 - ab) * eps[i];
      double djlExampleBug = ab * x0[i] + (1 - ab) * eps[i];
      assertThat(out[i]).isCloseTo(expected, within(1e-12));
      if (x0[i] != 0 || eps[i] != 0) {
        assertThat(Math.abs(out[i] - djlExampleBug)).isGreaterThan(1e-2);
      }
    }
  }

  @Test
  void addNoiseKeepsFloat32InputsFloat32() {
    NDArray out = forward.addNoise(m.ones(new Shape(2, 3)), m.zeros(new Shape(2, 3)), 0);

    assertThat(out.getDataType()).isEqualTo(DataType.FLOAT32);
    assertThat(out.toFloatArray()[0]).isCloseTo((float) Math.sqrt(0.9999), within(1e-7f));
  }

  @Test
  void batchedAddNoiseAppliesEachSamplesOwnTimestep() {
    NDArray x0 = m.create(new double[] {1, 2, 3, 4, 5, 6}, new Shape(3, 1, 2));
    NDArray eps = m.create(new double[] {-1, 0.5, 0, 2, 1, 1}, new Shape(3, 1, 2));
    int[] t = {0, 999, 250};

    double[] out = forward.addNoise(x0, eps, t).toDoubleArray();
    double[] viaNdArray =
        forward.addNoise(x0, eps, m.create(new float[] {0, 999, 250})).toDoubleArray();

    double[] x = x0.toDoubleArray();
    double[] e = eps.toDoubleArray();
    for (int i = 0; i < 6; i++) {
      double ab = LINEAR.alphaBar(t[i / 2]);
      assertThat(out[i]).isCloseTo(Math.sqrt(ab) * x[i] + Math.sqrt(1 - ab) * e[i], within(1e-12));
    }
    assertThat(viaNdArray).containsExactly(out);
  }

  @Test
  void velocityIsSqrtAlphaBarTimesNoiseMinusSqrtOneMinusAlphaBarTimesX0() {
    double ab = LINEAR.alphaBar(100);
    NDArray x0 = m.create(new double[] {0.3, -0.7});
    NDArray eps = m.create(new double[] {1.5, 0.2});

    double[] v = forward.velocity(x0, eps, 100).toDoubleArray();
    double[] vBatched = forward.velocity(x0.reshape(2, 1), eps.reshape(2, 1), new int[] {100, 100})
        .toDoubleArray();

    assertThat(v[0]).isCloseTo(Math.sqrt(ab) * 1.5 - Math.sqrt(1 - ab) * 0.3, within(1e-12));
    assertThat(v[1]).isCloseTo(Math.sqrt(ab) * 0.2 + Math.sqrt(1 - ab) * 0.7, within(1e-12));
    assertThat(vBatched).containsExactly(v, within(1e-15));
  }

  @Test
  void trainingTargetIsNoiseVelocityOrSampleByPredictionType() {
    NDArray x0 = m.create(new double[] {0.3, -0.7}, new Shape(2, 1));
    NDArray eps = m.create(new double[] {1.5, 0.2}, new Shape(2, 1));
    int[] t = {10, 900};

    assertThat(forward.target(PredictionType.EPSILON, x0, eps, t).toDoubleArray())
        .containsExactly(1.5, 0.2);
    assertThat(forward.target(PredictionType.SAMPLE, x0, eps, t).toDoubleArray())
        .containsExactly(0.3, -0.7);
    assertThat(forward.target(PredictionType.V, x0, eps, t).toDoubleArray())
        .containsExactly(forward.velocity(x0, eps, t).toDoubleArray());
  }

  @Test
  void outOfRangeOrMismatchedTimestepsAreRefused() {
    NDArray x = m.zeros(new Shape(2, 3));

    assertThatThrownBy(() -> forward.addNoise(x, x, 1000)).hasMessageContaining("[0, 999]");
    assertThatThrownBy(() -> forward.addNoise(x, x, new int[] {1, 2, 3}))
        .hasMessageContaining("one timestep per sample");
    assertThatThrownBy(() -> forward.addNoise(x, x, m.create(new float[] {1.5f, 2f})))
        .hasMessageContaining("whole numbers");
  }
}
