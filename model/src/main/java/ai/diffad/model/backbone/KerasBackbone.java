package ai.diffad.model.backbone;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.pooling.Pool;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A Keras functional model in TF.js layers format ({@code model.json} with the topology and a
 * weights manifest, binary weight shards beside it), run layer by layer on DJL tensors in NCHW.
 * Keras's semantics are kept where they differ from PyTorch's: {@code same} padding is computed
 * per input size as TensorFlow does (the extra row and column of an even stride-2 input go after,
 * not before; 1x7 and 7x1 kernels pad only along their long axis), {@code ZeroPadding2D}'s
 * explicit asymmetric padding, BatchNormalization with its own epsilon (1e-3 in these models) and
 * without scale or centre when {@code scale}/{@code center} are false (InceptionV3), ReLU's
 * {@code max_value} (ReLU6), average pooling with {@code same} padding that excludes the padded
 * cells from the mean, depthwise kernels ({@code [kh, kw, in, multiplier]}) as grouped
 * convolutions. Quantised weights (uint8/uint16: value = q * scale + min; float16) are
 * dequantised on load. A BatchNormalization that follows a convolution used only by it is folded
 * into that convolution's weights and bias at load.
 *
 * <p>Layers supported: InputLayer, ZeroPadding2D, Conv2D, DepthwiseConv2D, BatchNormalization,
 * ReLU, Activation (linear, relu, sigmoid, tanh, softmax), Add, Concatenate, MaxPooling2D,
 * AveragePooling2D, GlobalAveragePooling2D, Flatten, Dense, Dropout. A model with any other layer
 * loads, but asking for a layer that depends on it fails naming it.
 */
public final class KerasBackbone implements Backbone {
  private final String name;
  private final String sha256;
  private final NDManager manager;
  private final List<Node> nodes;
  private final Map<String, Node> byName;
  /** Multiply-adds x 2 of convolutions and dense layers, counted while {@link #flops} runs. */
  private long[] counter;

  private record Node(String name, String type, JsonNode config, List<String> inputs,
      Map<String, NDArray> weights, boolean identity) {}

  private KerasBackbone(String name, String sha256, NDManager manager, List<Node> nodes) {
    this.name = name;
    this.sha256 = sha256;
    this.manager = manager;
    this.nodes = nodes;
    this.byName = new LinkedHashMap<>();
    for (Node n : nodes) {
      byName.put(n.name(), n);
    }
  }

  /**
   * Loads a TF.js layers model.
   *
   * @param modelJson the {@code model.json}; its weight shards are read from its folder
   * @param name the backbone's name
   * @param parent the manager whose sub-manager holds the weights until {@link #close()}
   * @throws IOException if a file cannot be read
   * @throws IllegalArgumentException if the files are not a TF.js layers model
   */
  public static KerasBackbone load(Path modelJson, String name, NDManager parent)
      throws IOException {
    JsonNode root = new ObjectMapper().readTree(modelJson.toFile());
    JsonNode topology = root.path("modelTopology");
    JsonNode config = topology.has("model_config") ? topology.path("model_config").path("config")
        : topology.path("config");
    JsonNode layers = config.path("layers");
    JsonNode manifest = root.path("weightsManifest");
    if (!layers.isArray() || !manifest.isArray()) {
      throw new IllegalArgumentException(modelJson + " is not a TF.js layers model (no"
          + " modelTopology layers or weightsManifest)");
    }
    MessageDigest sha = sha256Digest();
    Map<String, float[]> values = new HashMap<>();
    Map<String, long[]> shapes = new HashMap<>();
    for (JsonNode group : manifest) {
      ByteArrayBuilder bytes = new ByteArrayBuilder();
      for (JsonNode p : group.path("paths")) {
        Path shardFile = modelJson.toAbsolutePath().resolveSibling(p.asText()).normalize();
        Path folder = modelJson.toAbsolutePath().normalize().getParent();
        if (!shardFile.startsWith(folder)
            || (Files.exists(shardFile) && !shardFile.toRealPath().startsWith(folder.toRealPath()))) {
          throw new IllegalArgumentException(modelJson + ": weightsManifest names " + p.asText()
              + ", outside the backbone's folder " + folder + " (refused)");
        }
        byte[] shard = Files.readAllBytes(shardFile);
        sha.update(shard);
        bytes.add(shard);
      }
      ByteBuffer buf = ByteBuffer.wrap(bytes.toArray()).order(ByteOrder.LITTLE_ENDIAN);
      for (JsonNode w : group.path("weights")) {
        long[] shape = new long[w.path("shape").size()];
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
          shape[i] = w.path("shape").get(i).asLong();
          count *= shape[i];
        }
        float[] v = new float[Math.toIntExact(count)];
        JsonNode q = w.path("quantization");
        String dtype = q.isMissingNode() ? w.path("dtype").asText("float32")
            : q.path("dtype").asText();
        double scale = q.path("scale").asDouble(1);
        double min = q.path("min").asDouble(0);
        for (int i = 0; i < v.length; i++) {
          v[i] = switch (dtype) {
            case "float32" -> buf.getFloat();
            case "uint8" -> (float) ((buf.get() & 0xFF) * scale + min);
            case "uint16" -> (float) ((buf.getShort() & 0xFFFF) * scale + min);
            case "float16" -> halfToFloat(buf.getShort());
            case "int32" -> buf.getInt();
            default -> throw new IllegalArgumentException(modelJson + ": weight "
                + w.path("name").asText() + " has unsupported dtype " + dtype);
          };
        }
        values.put(w.path("name").asText(), v);
        shapes.put(w.path("name").asText(), shape);
      }
    }
    NDManager m = parent.newSubManager();
    try {
      List<Node> nodes = new ArrayList<>();
      for (JsonNode l : layers) {
        String layer = l.path("name").asText(l.path("config").path("name").asText());
        List<String> inputs = new ArrayList<>();
        for (JsonNode node : l.path("inbound_nodes")) {
          for (JsonNode in : node) {
            inputs.add(in.get(0).asText());
          }
        }
        Map<String, NDArray> w = new HashMap<>();
        for (Map.Entry<String, float[]> e : values.entrySet()) {
          if (e.getKey().startsWith(layer + "/")) {
            w.put(e.getKey().substring(layer.length() + 1),
                m.create(e.getValue(), new Shape(shapes.get(e.getKey()))));
          }
        }
        nodes.add(new Node(layer, l.path("class_name").asText(), l.path("config"), inputs,
            toTorchLayout(l.path("class_name").asText(), w), false));
      }
      nodes = foldBatchNorms(nodes);
      return new KerasBackbone(name, HexFormat.of().formatHex(sha.digest()), m, nodes);
    } catch (RuntimeException e) {
      m.close();
      throw e;
    }
  }

  /** Kernels from Keras's layouts to PyTorch's. */
  private static Map<String, NDArray> toTorchLayout(String type, Map<String, NDArray> w) {
    NDArray k = w.get("kernel");
    if (type.equals("Conv2D") && k != null) {
      w.put("kernel", k.transpose(3, 2, 0, 1)); // [kh, kw, in, out] -> [out, in, kh, kw]
    }
    NDArray d = w.get("depthwise_kernel");
    if (type.equals("DepthwiseConv2D") && d != null) {
      Shape s = d.getShape(); // [kh, kw, in, mult] -> [in * mult, 1, kh, kw]
      w.put("depthwise_kernel", d.transpose(2, 3, 0, 1).reshape(s.get(2) * s.get(3), 1, s.get(0),
          s.get(1)));
    }
    return w;
  }

  /** Folds each BatchNormalization into the convolution before it when that is its only user. */
  private static List<Node> foldBatchNorms(List<Node> nodes) {
    Map<String, Integer> users = new HashMap<>();
    for (Node n : nodes) {
      for (String in : n.inputs()) {
        users.merge(in, 1, Integer::sum);
      }
    }
    Map<String, Node> byName = new HashMap<>();
    for (Node n : nodes) {
      byName.put(n.name(), n);
    }
    List<Node> out = new ArrayList<>(nodes.size());
    Map<String, Integer> index = new HashMap<>();
    for (Node n : nodes) {
      Node conv = n.inputs().size() == 1 ? byName.get(n.inputs().get(0)) : null;
      boolean foldable = n.type().equals("BatchNormalization") && conv != null
          && (conv.type().equals("Conv2D") || conv.type().equals("DepthwiseConv2D"))
          && users.getOrDefault(conv.name(), 0) == 1 && index.containsKey(conv.name())
          && isChannelAxis(n.config().path("axis"));
      if (!foldable) {
        index.put(n.name(), out.size());
        out.add(n);
        continue;
      }
      String key = conv.type().equals("Conv2D") ? "kernel" : "depthwise_kernel";
      Map<String, NDArray> cw = new HashMap<>(out.get(index.get(conv.name())).weights());
      NDArray a = batchNormScale(n);
      NDArray kernel = cw.get(key);
      cw.put(key, kernel.mul(a.reshape(-1, 1, 1, 1)));
      NDArray mean = n.weights().get("moving_mean");
      NDArray bias = cw.containsKey("bias") ? cw.get("bias") : mean.zerosLike();
      NDArray beta = n.weights().containsKey("beta") && n.config().path("center").asBoolean(true)
          ? n.weights().get("beta") : mean.zerosLike();
      cw.put("bias", bias.sub(mean).mul(a).add(beta));
      out.set(index.get(conv.name()), new Node(conv.name(), conv.type(), conv.config(),
          conv.inputs(), cw, false));
      index.put(n.name(), out.size());
      out.add(new Node(n.name(), n.type(), n.config(), n.inputs(), Map.of(), true));
    }
    return out;
  }

  private static boolean isChannelAxis(JsonNode axis) {
    int a = axis.isArray() ? axis.get(0).asInt(-1) : axis.asInt(-1);
    return a == -1 || a == 3;
  }

  /** gamma / sqrt(var + eps) (gamma = 1 without scale). */
  private static NDArray batchNormScale(Node bn) {
    double eps = bn.config().path("epsilon").asDouble(1e-3);
    NDArray var = bn.weights().get("moving_variance");
    NDArray s = var.add((float) eps).sqrt().pow(-1f);
    if (bn.config().path("scale").asBoolean(true) && bn.weights().containsKey("gamma")) {
      s = s.mul(bn.weights().get("gamma"));
    }
    return s;
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
    return nodes.stream().map(Node::name).toList();
  }

  @Override
  public NDList features(NDArray x, List<String> wanted) {
    Objects.requireNonNull(x, "x");
    java.util.Set<String> needed = new java.util.HashSet<>();
    java.util.ArrayDeque<String> todo = new java.util.ArrayDeque<>();
    for (String w : wanted) {
      if (!byName.containsKey(w)) {
        throw new IllegalArgumentException("backbone " + name + " has no layer '" + w + "'; its"
            + " layers include " + sampleLayers());
      }
      todo.add(w);
    }
    while (!todo.isEmpty()) {
      String n = todo.pop();
      if (needed.add(n)) {
        todo.addAll(byName.get(n).inputs());
      }
    }
    Map<String, Integer> remaining = new HashMap<>();
    for (Node n : nodes) {
      if (needed.contains(n.name())) {
        for (String in : n.inputs()) {
          remaining.merge(in, 1, Integer::sum);
        }
      }
    }
    Map<String, NDArray> out = new HashMap<>();
    java.util.Set<String> keep = new java.util.HashSet<>(wanted);
    boolean first = true;
    for (Node n : nodes) {
      if (!needed.contains(n.name())) {
        continue;
      }
      NDArray y;
      if (n.inputs().isEmpty()) {
        if (!first) {
          throw new IllegalArgumentException("backbone " + name + " has more than one input");
        }
        first = false;
        y = x;
      } else {
        List<NDArray> in = new ArrayList<>();
        for (String i : n.inputs()) {
          in.add(out.get(i));
        }
        y = apply(n, in);
        for (String i : n.inputs()) {
          if (remaining.merge(i, -1, Integer::sum) == 0 && !keep.contains(i) && out.get(i) != x
              && out.get(i) != y) {
            out.remove(i).close();
          }
        }
      }
      out.put(n.name(), y);
    }
    NDList result = new NDList();
    for (String w : wanted) {
      result.add(out.get(w));
    }
    return result;
  }

  /**
   * Floating-point operations per image (2 x multiply-adds of the convolutions and dense layers)
   * of computing {@code layers} for one (3, h, w) image: the nominal direct-convolution count.
   */
  public long flops(List<String> layers, int h, int w) {
    try (NDManager m = manager.newSubManager()) {
      counter = new long[1];
      features(m.zeros(new Shape(1, 3, h, w)), layers);
      return counter[0];
    } finally {
      counter = null;
    }
  }

  private String sampleLayers() {
    List<String> l = layers();
    return l.size() <= 12 ? l.toString() : l.subList(0, 6) + " ... " + l.subList(l.size() - 6,
        l.size()) + " (" + l.size() + " in all)";
  }

  private NDArray apply(Node n, List<NDArray> in) {
    NDArray x = in.get(0);
    JsonNode c = n.config();
    if (n.identity()) {
      return x;
    }
    switch (n.type()) {
      case "ZeroPadding2D": {
        JsonNode p = c.path("padding");
        long top = p.get(0).get(0).asLong();
        long bottom = p.get(0).get(1).asLong();
        long left = p.get(1).get(0).asLong();
        long right = p.get(1).get(1).asLong();
        return x.pad(new Shape(left, right, top, bottom), 0);
      }
      case "Conv2D":
      case "DepthwiseConv2D": {
        boolean depthwise = n.type().equals("DepthwiseConv2D");
        NDArray kernel = n.weights().get(depthwise ? "depthwise_kernel" : "kernel");
        NDArray bias = n.weights().get("bias");
        long kh = kernel.getShape().get(2);
        long kw = kernel.getShape().get(3);
        long[] s = pair(c.path("strides"), 1);
        long[] d = pair(c.path("dilation_rate"), 1);
        NDArray padded = x;
        Shape pad = new Shape(0, 0);
        if (c.path("padding").asText("valid").equals("same")) {
          long[] ph = samePad(x.getShape().get(2), kh, s[0], d[0]);
          long[] pw = samePad(x.getShape().get(3), kw, s[1], d[1]);
          if (ph[0] == ph[1] && pw[0] == pw[1]) {
            pad = new Shape(ph[0], pw[0]);
          } else {
            padded = x.pad(new Shape(pw[0], pw[1], ph[0], ph[1]), 0);
          }
        }
        int groups = depthwise ? (int) x.getShape().get(1) : 1;
        NDArray y = Conv2d.conv2d(padded, kernel, bias, new Shape(s[0], s[1]), pad,
            new Shape(d[0], d[1]), groups).singletonOrThrow();
        if (counter != null) {
          counter[0] += 2L * y.getShape().size() / y.getShape().get(0) * kernel.getShape().get(1)
              * kh * kw;
        }
        if (padded != x) {
          padded.close();
        }
        return activation(y, c.path("activation").asText("linear"), n);
      }
      case "BatchNormalization": {
        if (!isChannelAxis(c.path("axis"))) {
          throw unsupported(n, "axis " + c.path("axis"));
        }
        NDArray a = batchNormScale(n).reshape(1, -1, 1, 1);
        NDArray y = x.sub(n.weights().get("moving_mean").reshape(1, -1, 1, 1)).mul(a);
        if (c.path("center").asBoolean(true) && n.weights().containsKey("beta")) {
          y = y.add(n.weights().get("beta").reshape(1, -1, 1, 1));
        }
        return y;
      }
      case "ReLU": {
        if (c.path("negative_slope").asDouble(0) != 0 || c.path("threshold").asDouble(0) != 0) {
          throw unsupported(n, "negative_slope/threshold");
        }
        NDArray y = x.maximum(0f);
        return c.hasNonNull("max_value") ? y.minimum((float) c.path("max_value").asDouble()) : y;
      }
      case "Activation":
        return activation(x, c.path("activation").asText(), n);
      case "Add": {
        NDArray y = x;
        for (int i = 1; i < in.size(); i++) {
          y = y.add(in.get(i));
        }
        return y;
      }
      case "Concatenate": {
        int axis = c.path("axis").asInt(-1);
        if (axis != -1 && axis != 3) {
          throw unsupported(n, "axis " + axis);
        }
        return NDArrays.concat(new NDList(in), 1);
      }
      case "MaxPooling2D":
      case "AveragePooling2D": {
        long[] k = pair(c.path("pool_size"), 2);
        long[] s = c.hasNonNull("strides") ? pair(c.path("strides"), 1) : k;
        boolean max = n.type().equals("MaxPooling2D");
        Shape kernel = new Shape(k[0], k[1]);
        Shape stride = new Shape(s[0], s[1]);
        if (!c.path("padding").asText("valid").equals("same")) {
          return max ? Pool.maxPool2d(x, kernel, stride, new Shape(0, 0), false)
              : Pool.avgPool2d(x, kernel, stride, new Shape(0, 0), false, true);
        }
        long[] ph = samePad(x.getShape().get(2), k[0], s[0], 1);
        long[] pw = samePad(x.getShape().get(3), k[1], s[1], 1);
        if (ph[0] == ph[1] && pw[0] == pw[1] && ph[0] * 2 <= k[0] && pw[0] * 2 <= k[1]) {
          if (max) {
            return Pool.maxPool2d(x, kernel, stride, new Shape(ph[0], pw[0]), false);
          }
          // TensorFlow leaves the padded cells out of the mean: the padded mean over the padded
          // mean of ones (the engine's count_include_pad flag was not honoured here)
          Shape p = new Shape(ph[0], pw[0]);
          NDArray ones = x.getManager().ones(new Shape(1, 1, x.getShape().get(2),
              x.getShape().get(3)), x.getDataType());
          return Pool.avgPool2d(x, kernel, stride, p, false, true)
              .div(Pool.avgPool2d(ones, kernel, stride, p, false, true));
        }
        if (!max) {
          throw unsupported(n, "asymmetric same padding of an average pool");
        }
        NDArray p = x.pad(new Shape(pw[0], pw[1], ph[0], ph[1]), Float.NEGATIVE_INFINITY);
        return Pool.maxPool2d(p, kernel, stride, new Shape(0, 0), false);
      }
      case "GlobalAveragePooling2D":
        return x.mean(new int[] {2, 3});
      case "Flatten":
        return x.getShape().dimension() == 4 ? x.transpose(0, 2, 3, 1).reshape(x.getShape().get(0),
            -1) : x.reshape(x.getShape().get(0), -1);
      case "Dense": {
        NDArray y = x.matMul(n.weights().get("kernel"));
        if (n.weights().containsKey("bias")) {
          y = y.add(n.weights().get("bias"));
        }
        return activation(y, c.path("activation").asText("linear"), n);
      }
      case "Dropout":
      case "InputLayer":
        return x;
      default:
        throw unsupported(n, "layer type");
    }
  }

  private static NDArray activation(NDArray y, String kind, Node n) {
    return switch (kind) {
      case "linear" -> y;
      case "relu" -> y.maximum(0f);
      case "sigmoid" -> y.neg().exp().add(1f).pow(-1f);
      case "tanh" -> y.tanh();
      case "softmax" -> y.softmax(1);
      default -> throw unsupported(n, "activation " + kind);
    };
  }

  private static IllegalArgumentException unsupported(Node n, String what) {
    return new IllegalArgumentException("layer " + n.name() + " (" + n.type() + "): unsupported "
        + what);
  }

  /** TensorFlow's SAME padding of one axis: {before, after}; the odd cell goes after. */
  static long[] samePad(long in, long k, long stride, long dilation) {
    long effective = (k - 1) * dilation + 1;
    long out = (in + stride - 1) / stride;
    long total = Math.max((out - 1) * stride + effective - in, 0);
    return new long[] {total / 2, total - total / 2};
  }

  /** IEEE 754 half precision to float (Java 17 has no Float.float16ToFloat). */
  static float halfToFloat(short h) {
    int bits = h & 0xFFFF;
    int sign = (bits & 0x8000) << 16;
    int exp = (bits >>> 10) & 0x1F;
    int mant = bits & 0x3FF;
    if (exp == 0) {
      return (sign != 0 ? -1 : 1) * mant * 0x1p-24f;
    }
    if (exp == 31) {
      return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
    }
    return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
  }

  private static long[] pair(JsonNode v, long dflt) {
    if (v.isArray() && v.size() == 2) {
      return new long[] {v.get(0).asLong(), v.get(1).asLong()};
    }
    if (v.isNumber()) {
      return new long[] {v.asLong(), v.asLong()};
    }
    return new long[] {dflt, dflt};
  }

  private static MessageDigest sha256Digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static final class ByteArrayBuilder {
    private final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();

    void add(byte[] b) {
      out.write(b, 0, b.length);
    }

    byte[] toArray() {
      return out.toByteArray();
    }
  }

  @Override
  public void close() {
    manager.close();
  }

  @Override
  public String toString() {
    return "backbone " + name + " (" + nodes.size() + " layers, weights " + sha256.substring(0, 12)
        + ")";
  }
}
