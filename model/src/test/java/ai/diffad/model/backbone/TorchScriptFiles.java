package ai.diffad.model.backbone;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A tiny TorchScript module written by hand (no Python here): the zip archive that
 * {@code torch.jit.save} writes, with the module's class as TorchScript source in
 * {@code code/__torch__.py}, its state pickled (protocol 2) in {@code data.pkl} with the tensors as
 * persistent-id storages in {@code data/0}, {@code data/1}, and an empty {@code constants.pkl}.
 * The module is a 3x3 convolution with padding 1 and bias, and its forward returns the
 * convolution and its ReLU as a tuple.
 */
final class TorchScriptFiles {
  private TorchScriptFiles() {}

  /** The TorchScript source of the module's class, as PyTorch prints it. */
  static final String CODE = """
      class ConvRelu(Module):
        __parameters__ = ["weight", "bias", ]
        __buffers__ = []
        weight : Tensor
        bias : Tensor
        training : bool
        def forward(self: __torch__.ConvRelu,
          x: Tensor) -> Tuple[Tensor, Tensor]:
          weight = self.weight
          bias = self.bias
          conv = torch.conv2d(x, weight, bias, [1, 1], [1, 1], [1, 1], 1)
          relu = torch.relu(conv)
          return (conv, relu)
      """;

  /**
   * Writes the module.
   *
   * @param file where
   * @param weight the kernel (C, 3, 3, 3), row-major
   * @param bias the bias (C)
   * @param channels C
   */
  static void convRelu(Path file, float[] weight, float[] bias, int channels) throws IOException {
    Pickle data = new Pickle()
        .global("__torch__", "ConvRelu").op(')').op(0x81) // EMPTY_TUPLE, NEWOBJ
        .op('}').op('(') // EMPTY_DICT, MARK
        .string("weight").tensor("0", weight.length, channels, 3, 3, 3)
        .string("bias").tensor("1", bias.length, channels)
        .string("training").op(0x89) // NEWFALSE: saved in eval mode
        .op('u').op('b'); // SETITEMS, BUILD
    Pickle constants = new Pickle().op(')'); // an empty tuple of tensor constants
    try (OutputStream os = Files.newOutputStream(file);
        ZipOutputStream zip = new ZipOutputStream(os)) {
      String a = "archive/";
      stored(zip, a + "data.pkl", data.stop());
      stored(zip, a + "code/__torch__.py", CODE.getBytes(StandardCharsets.UTF_8));
      stored(zip, a + "constants.pkl", constants.stop());
      stored(zip, a + "data/0", floats(weight));
      stored(zip, a + "data/1", floats(bias));
      stored(zip, a + "version", "3\n".getBytes(StandardCharsets.US_ASCII));
    }
  }

  private static byte[] floats(float[] v) {
    ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
    for (float f : v) {
      b.putFloat(f);
    }
    return b.array();
  }

  /** An uncompressed entry, as torch.jit.save writes them. */
  private static void stored(ZipOutputStream zip, String name, byte[] bytes) throws IOException {
    ZipEntry e = new ZipEntry(name);
    e.setMethod(ZipEntry.STORED);
    e.setSize(bytes.length);
    e.setCompressedSize(bytes.length);
    CRC32 crc = new CRC32();
    crc.update(bytes);
    e.setCrc(crc.getValue());
    zip.putNextEntry(e);
    zip.write(bytes);
    zip.closeEntry();
  }

  /** A pickle (protocol 2) being written, with the opcodes libtorch's unpickler reads. */
  static final class Pickle {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Pickle() {
      op(0x80).op(2); // PROTO 2
    }

    Pickle op(int code) {
      out.write(code);
      return this;
    }

    Pickle global(String module, String name) {
      op('c');
      byte[] b = (module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8);
      out.write(b, 0, b.length);
      return this;
    }

    /** BINUNICODE. */
    Pickle string(String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      op('X').int32(b.length);
      out.write(b, 0, b.length);
      return this;
    }

    /** BININT. */
    Pickle integer(long v) {
      return op('J').int32(Math.toIntExact(v));
    }

    /** A tuple of ints: MARK, the ints, TUPLE. */
    Pickle ints(long... v) {
      op('(');
      for (long x : v) {
        integer(x);
      }
      return op('t');
    }

    /**
     * {@code torch._utils._rebuild_tensor_v2(storage, 0, size, stride, False, OrderedDict())}
     * with the storage a persistent id {@code ('storage', torch.FloatStorage, key, 'cpu', numel)}
     * whose bytes are the archive's {@code data/<key>}.
     */
    Pickle tensor(String key, long numel, long... size) {
      long[] stride = new long[size.length];
      long s = 1;
      for (int i = size.length - 1; i >= 0; i--) {
        stride[i] = s;
        s *= size[i];
      }
      global("torch._utils", "_rebuild_tensor_v2").op('(');
      op('(').string("storage").global("torch", "FloatStorage").string(key).string("cpu")
          .integer(numel).op('t').op('Q'); // TUPLE, BINPERSID
      integer(0).ints(size).ints(stride).op(0x89); // offset, size, stride, requires_grad False
      global("collections", "OrderedDict").op(')').op('R'); // backward hooks
      return op('t').op('R'); // TUPLE, REDUCE
    }

    private Pickle int32(int v) {
      out.write(v & 0xFF);
      out.write((v >>> 8) & 0xFF);
      out.write((v >>> 16) & 0xFF);
      out.write((v >>> 24) & 0xFF);
      return this;
    }

    byte[] stop() {
      op('.');
      return out.toByteArray();
    }
  }
}
