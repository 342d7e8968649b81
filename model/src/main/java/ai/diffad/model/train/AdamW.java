package ai.diffad.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * AdamW (Loshchilov and Hutter 2019, as in {@code torch.optim.AdamW}) with bias correction,
 * decoupled weight decay and global-norm gradient clipping, written on NDArrays so that its state
 * (first and second moments per parameter) can be checkpointed and restored bit for bit.
 *
 * <p>Weight decay applies to parameters with two or more dimensions (convolution and dense
 * kernels), not to biases and normalisation scales, the usual choice for diffusion U-Nets.
 *
 * <p>Must be called outside a {@code GradientCollector} (autograd off), after {@code backward}.
 * Temporary arrays are created in the parameters' managers; the caller closes them with an
 * {@code NDScope} around the step. Gradients are zeroed after the update because PyTorch
 * accumulates them and DJL's collector does not clear them.
 */
final class AdamW {
  static final float BETA1 = 0.9f;
  static final float BETA2 = 0.999f;
  static final float EPS = 1e-8f;
  private static final String MAGIC = "diffad-adamw-1";

  private final List<Pair<String, Parameter>> params;
  private final NDArray[] m;
  private final NDArray[] v;

  AdamW(NDManager manager, List<Pair<String, Parameter>> params) {
    this.params = params;
    this.m = new NDArray[params.size()];
    this.v = new NDArray[params.size()];
    for (int i = 0; i < params.size(); i++) {
      NDArray w = params.get(i).getValue().getArray();
      m[i] = manager.zeros(w.getShape(), w.getDataType());
      v[i] = manager.zeros(w.getShape(), w.getDataType());
    }
  }

  /** Zeroes the moments in place: the optimiser starts afresh without allocating them again. */
  void restart() {
    for (int i = 0; i < m.length; i++) {
      zero(m[i]);
      zero(v[i]);
    }
  }

  private static void zero(NDArray a) {
    try (NDArray zeros = a.zerosLike()) {
      a.set(zeros.toByteBuffer());
    }
  }

  /** Global L2 norm of all gradients. */
  double gradNorm() {
    NDArray sum = null;
    for (Pair<String, Parameter> p : params) {
      NDArray g = p.getValue().getArray().getGradient();
      NDArray s = g.square().sum();
      sum = sum == null ? s : sum.add(s);
    }
    return sum == null ? 0 : Math.sqrt(sum.getFloat());
  }

  /**
   * One update.
   *
   * @param t 1-based step (bias correction)
   * @param lr learning rate
   * @param weightDecay decoupled weight decay
   * @param clipScale factor applied to the gradients (global-norm clipping; 1 for none)
   */
  void step(int t, double lr, double weightDecay, double clipScale) {
    double bc1 = 1 - Math.pow(BETA1, t);
    double bc2 = 1 - Math.pow(BETA2, t);
    float stepSize = (float) (lr / bc1);
    float invSqrtBc2 = (float) (1 / Math.sqrt(bc2));
    float decay = (float) (1 - lr * weightDecay);
    for (int i = 0; i < params.size(); i++) {
      NDArray w = params.get(i).getValue().getArray();
      NDArray grad = w.getGradient();
      NDArray g = clipScale == 1.0 ? grad : grad.mul((float) clipScale);
      m[i].muli(BETA1).addi(g.mul(1 - BETA1));
      v[i].muli(BETA2).addi(g.square().muli(1 - BETA2));
      if (weightDecay > 0 && w.getShape().dimension() >= 2) {
        w.muli(decay);
      }
      NDArray denom = v[i].sqrt().muli(invSqrtBc2).addi(EPS);
      w.subi(m[i].div(denom).muli(stepSize));
      grad.subi(grad);
    }
  }

  /**
   * Sets every gradient to zero without an update (a skipped step); unlike subtracting the
   * gradient from itself this also clears NaN and infinite entries.
   */
  void zeroGradients() {
    for (Pair<String, Parameter> p : params) {
      NDArray grad = p.getValue().getArray().getGradient();
      try (NDArray zeros = grad.zerosLike()) {
        grad.set(zeros.toByteBuffer());
      }
    }
  }

  /** Writes the moments (parameter names, shapes, values). */
  void save(Path file) throws IOException {
    try (DataOutputStream out =
        new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file)))) {
      out.writeUTF(MAGIC);
      out.writeInt(params.size());
      for (int i = 0; i < params.size(); i++) {
        out.writeUTF(params.get(i).getKey());
        writeArray(out, m[i]);
        writeArray(out, v[i]);
      }
    }
  }

  /** Restores moments written by {@link #save}; fails naming the file on any mismatch. */
  void load(Path file, NDManager manager) throws IOException {
    try (DataInputStream in =
        new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
      String magic = in.readUTF();
      if (!MAGIC.equals(magic)) {
        throw new IOException(file + ": not an AdamW state file (header '" + magic + "')");
      }
      int n = in.readInt();
      if (n != params.size()) {
        throw new IOException(
            file + ": holds " + n + " parameters, the network has " + params.size());
      }
      for (int i = 0; i < n; i++) {
        String name = in.readUTF();
        if (!name.equals(params.get(i).getKey())) {
          throw new IOException(
              file + ": parameter " + i + " is '" + name + "', expected '"
                  + params.get(i).getKey() + "'");
        }
        NDArray newM = readArray(in, manager);
        NDArray newV = readArray(in, manager);
        if (!newM.getShape().equals(m[i].getShape()) || !newV.getShape().equals(v[i].getShape())) {
          throw new IOException(file + ": shape mismatch for parameter '" + name + "'");
        }
        m[i].close();
        v[i].close();
        m[i] = newM;
        v[i] = newV;
      }
    }
  }

  private static void writeArray(DataOutputStream out, NDArray a) throws IOException {
    byte[] bytes = a.encode();
    out.writeInt(bytes.length);
    out.write(bytes);
  }

  private static NDArray readArray(DataInputStream in, NDManager manager) throws IOException {
    byte[] bytes = new byte[in.readInt()];
    in.readFully(bytes);
    return NDArray.decode(manager, bytes);
  }
}
