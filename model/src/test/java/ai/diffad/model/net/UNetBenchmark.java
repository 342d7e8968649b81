package ai.diffad.model.net;

import ai.diffad.config.NetworkConfig;
import ai.diffad.config.NetworkKind;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.util.List;

/**
 * Throwaway speed probe (not a test): forward+backward and inference forward time of the default
 * U-Net (base 32, multipliers [1, 2, 2], 1 block per level, attention at level 2) at batch 16.
 * Run with {@code java -cp <test classpath> ai.diffad.model.net.UNetBenchmark [size...]}; set
 * {@code -Dai.djl.pytorch.num_threads} (and OMP_NUM_THREADS) to 1 when the machine is shared:
 * two OpenMP threads on two busy cores were measured 17x slower than one.
 */
public final class UNetBenchmark {
  private UNetBenchmark() {}

  /** Prints timings for each size given (default 32 and 64). */
  public static void main(String[] args) {
    int[] sizes = args.length == 0 ? new int[] {32, 64} : java.util.Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
    NetworkConfig cfg = new NetworkConfig(NetworkKind.UNET2D, 32, List.of(1, 2, 2), 1, List.of(2), 8, 0, 0.0);
    int batch = 16;
    for (int size : sizes) {
      try (NDManager m = NDManager.newBaseManager()) {
        UNet net = Networks.create(cfg, 1);
        net.initialize(m, DataType.FLOAT32, Networks.inputShapes(cfg, 1, batch, size, size));
        for (Pair<String, Parameter> p : net.getParameters()) {
          p.getValue().getArray().setRequiresGradient(true);
        }
        ParameterStore ps = new ParameterStore(m, false);
        double flops = Networks.flopsPerSample(cfg, 1, size, size) * batch;
        int warm = 2;
        int reps = size <= 32 ? 10 : 4;
        long t0 = 0;
        for (int i = 0; i < warm + reps; i++) {
          if (i == warm) {
            t0 = System.nanoTime();
          }
          try (NDManager s = m.newSubManager()) {
            NDArray x = s.randomNormal(new Shape(batch, 1, size, size));
            NDArray t = s.randomUniform(0, 1000, new Shape(batch));
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
              NDArray y = net.forward(ps, new NDList(x, t), true).singletonOrThrow();
              gc.backward(y.sub(x).square().mean());
            }
          }
        }
        double train = (System.nanoTime() - t0) / 1e9 / reps;
        t0 = 0;
        for (int i = 0; i < warm + reps; i++) {
          if (i == warm) {
            t0 = System.nanoTime();
          }
          try (NDManager s = m.newSubManager()) {
            NDArray x = s.randomNormal(new Shape(batch, 1, size, size));
            NDArray t = s.randomUniform(0, 1000, new Shape(batch));
            net.forward(ps, new NDList(x, t), false).singletonOrThrow().toFloatArray();
          }
        }
        double infer = (System.nanoTime() - t0) / 1e9 / reps;
        System.out.printf(
            "1x%dx%d batch %d params %d: %.1f MFLOP/sample fwd; fwd+bwd %.1f ms/step (%.1f GFLOP/s at 3x fwd); fwd only %.1f ms (%.1f GFLOP/s)%n",
            size, size, batch, Networks.parameterCount(net), flops / batch / 1e6,
            train * 1e3, 3 * flops / train / 1e9, infer * 1e3, flops / infer / 1e9);
      }
    }
  }
}
