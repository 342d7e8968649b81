package ai.diffad.model.backbone;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An ONNX model a user exported (for example {@code torch.onnx.export} of a torchvision
 * WideResNet-50 cut after layer2 and layer3, see the README), run by DJL's ONNX Runtime engine:
 * its single input takes (N, 3, H, W) and its graph outputs are the feature maps. Layer {@code "k"}
 * is its k-th graph output; a layer may also be named by the output's name in the graph.
 *
 * <p>The engine's arrays never leave this class: the input is copied into an ONNX Runtime manager
 * of the call, the chosen outputs are copied into the manager of the input (PyTorch in diffad) and
 * everything else is closed before {@link #features} returns.
 */
public final class OnnxBackbone implements Backbone {
  /** DJL's name of the ONNX Runtime engine. */
  public static final String ENGINE = "OnnxRuntime";

  private final String name;
  private final String sha256;
  private final Model model;
  /** The graph's output names, in the graph's order. */
  private final List<String> outputs;

  private OnnxBackbone(String name, String sha256, Model model, List<String> outputs) {
    this.name = name;
    this.sha256 = sha256;
    this.model = model;
    this.outputs = outputs;
  }

  /**
   * Loads an ONNX file with DJL's ONNX Runtime engine.
   *
   * @param file the {@code .onnx} file
   * @param probeSize the side of the zero image run once to list the model's outputs (and to check
   *     that it takes (N, 3, H, W) at that size)
   * @throws IOException if the file cannot be read or is not an ONNX model that takes (1, 3,
   *     probeSize, probeSize)
   */
  public static OnnxBackbone load(Path file, int probeSize) throws IOException {
    String sha = Backbones.sha256(file);
    Model model = Model.newInstance(file.getFileName().toString(), ENGINE);
    try {
      // as many threads as the PyTorch engine is given (the launcher sizes both to the cores)
      String threads = System.getProperty("ai.djl.pytorch.num_threads",
          Integer.toString(Runtime.getRuntime().availableProcessors()));
      model.load(file.toAbsolutePath().getParent(), file.getFileName().toString(),
          java.util.Map.of("intraOpNumThreads", threads, "interOpNumThreads", "1"));
      List<String> names = new ArrayList<>();
      try (NDManager m = model.getNDManager().newSubManager()) {
        NDList out = model.getBlock().forward(new ParameterStore(m, false),
            new NDList(m.zeros(new Shape(1, 3, probeSize, probeSize))), false);
        for (int i = 0; i < out.size(); i++) {
          String n = out.get(i).getName();
          names.add(n == null || n.isEmpty() ? Integer.toString(i) : n);
        }
      }
      if (names.isEmpty()) {
        throw new IllegalArgumentException("the model has no outputs");
      }
      return new OnnxBackbone(file.getFileName().toString(), sha, model, List.copyOf(names));
    } catch (MalformedModelException | RuntimeException e) {
      model.close();
      throw new IOException(file + " is not an ONNX model that takes (N, 3, H, W) at size "
          + probeSize + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String sha256() {
    return sha256;
  }

  /** The output indices {@code "0"}, {@code "1"}, ... (the output names are accepted too). */
  @Override
  public List<String> layers() {
    List<String> l = new ArrayList<>();
    for (int i = 0; i < outputs.size(); i++) {
      l.add(Integer.toString(i));
    }
    return l;
  }

  /** The graph's output names, in the order of {@link #layers()}. */
  public List<String> outputNames() {
    return outputs;
  }

  @Override
  public NDList features(NDArray x, List<String> layers) {
    int[] chosen = new int[layers.size()];
    for (int i = 0; i < chosen.length; i++) {
      chosen[i] = index(layers.get(i));
    }
    NDManager caller = x.getManager();
    try (NDManager ort = model.getNDManager().newSubManager()) {
      // a copy without a name: the engine feeds a named input by name, an unnamed one by position
      NDArray in = ort.create(x.toByteBuffer(), x.getShape(), x.getDataType());
      NDList out = model.getBlock().forward(new ParameterStore(ort, false), new NDList(in), false);
      NDList result = new NDList(chosen.length);
      for (int k : chosen) {
        NDArray o = byName(out, outputs.get(k), k);
        NDArray c = caller.create(o.toByteBuffer(), o.getShape(), o.getDataType());
        result.add(c);
      }
      return result;
    }
  }

  private int index(String layer) {
    int k = outputs.indexOf(layer);
    if (k < 0) {
      try {
        k = Integer.parseInt(layer);
      } catch (NumberFormatException e) {
        k = -1;
      }
    }
    if (k < 0 || k >= outputs.size()) {
      throw new IllegalArgumentException("backbone " + name + " has outputs " + layers()
          + " (layers of an ONNX backbone are its output indices, or its output names "
          + outputs + "), not '" + layer + "'");
    }
    return k;
  }

  /** The output of that name (ONNX Runtime names them), else the k-th. */
  private static NDArray byName(NDList out, String outputName, int k) {
    for (NDArray a : out) {
      if (outputName.equals(a.getName())) {
        return a;
      }
    }
    return out.get(k);
  }

  @Override
  public void close() {
    model.close();
  }

  @Override
  public String toString() {
    return "backbone " + name + " (ONNX, outputs " + outputs + ", weights " + sha256.substring(0, 12)
        + ")";
  }
}
