package ai.diffad.model.backbone;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A TorchScript module a user exported (for example a torchvision WideResNet-50 cut after layer2
 * and layer3, see the README): its forward takes (N, 3, H, W) and returns one feature map or a
 * tuple/list of them; layer {@code "k"} is its k-th output.
 */
public final class TorchScriptBackbone implements Backbone {
  private final String name;
  private final String sha256;
  private final Model model;
  private final int outputs;

  private TorchScriptBackbone(String name, String sha256, Model model, int outputs) {
    this.name = name;
    this.sha256 = sha256;
    this.model = model;
    this.outputs = outputs;
  }

  /**
   * Loads a TorchScript file with DJL's PyTorch engine.
   *
   * @param file the {@code .pt} file
   * @param probeSize the side of the zero image run once to count the module's outputs
   * @throws IOException if the file cannot be read or is not TorchScript
   */
  public static TorchScriptBackbone load(Path file, int probeSize) throws IOException {
    String sha = Backbones.sha256(file);
    Model model = Model.newInstance(file.getFileName().toString(), "PyTorch");
    try {
      model.load(file.toAbsolutePath().getParent(), file.getFileName().toString());
      int n;
      try (var m = model.getNDManager().newSubManager()) {
        NDList out = model.getBlock().forward(new ParameterStore(m, false),
            new NDList(m.zeros(new ai.djl.ndarray.types.Shape(1, 3, probeSize, probeSize))), false);
        n = out.size();
      }
      return new TorchScriptBackbone(file.getFileName().toString(), sha, model, n);
    } catch (MalformedModelException | RuntimeException e) {
      model.close();
      throw new IOException(file + " is not a TorchScript module that takes (N, 3, H, W): "
          + e.getMessage(), e);
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

  @Override
  public List<String> layers() {
    List<String> l = new ArrayList<>();
    for (int i = 0; i < outputs; i++) {
      l.add(Integer.toString(i));
    }
    return l;
  }

  @Override
  public NDList features(NDArray x, List<String> layers) {
    NDList out = model.getBlock().forward(new ParameterStore(x.getManager(), false), new NDList(x),
        false);
    NDList result = new NDList();
    for (String l : layers) {
      int k;
      try {
        k = Integer.parseInt(l);
      } catch (NumberFormatException e) {
        k = -1;
      }
      if (k < 0 || k >= out.size()) {
        throw new IllegalArgumentException("backbone " + name + " has outputs " + layers()
            + " (layers of a TorchScript backbone are its output indices), not '" + l + "'");
      }
      result.add(out.get(k));
    }
    return result;
  }

  @Override
  public void close() {
    model.close();
  }
}
