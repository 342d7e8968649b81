package ai.diffad.model.backbone;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A tiny ONNX model written in protobuf's wire format by hand (there is no onnx package in Java
 * and no Python here): input {@code x} (N, 3, H, W), a 3x3 convolution with padding 1 and bias to
 * {@code conv} (N, C, H, W), a Relu of it to {@code relu}; both are graph outputs, in that order.
 * Field numbers are onnx.proto3's (ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto,
 * ValueInfoProto, TypeProto).
 */
final class OnnxFiles {
  private OnnxFiles() {}

  /**
   * The model's bytes.
   *
   * @param weight the convolution's kernel (C, 3, 3, 3), row-major
   * @param bias its bias (C)
   * @param channels C
   */
  static byte[] convRelu(float[] weight, float[] bias, int channels) {
    return convRelu(weight, bias, channels, 3);
  }

  /** The same with {@code in} input channels (kernel (C, in, 3, 3)). */
  static byte[] convRelu(float[] weight, float[] bias, int channels, int in) {
    Proto graph = new Proto()
        .message(1, new Proto() // NodeProto: Conv
            .string(1, "x").string(1, "W").string(1, "B")
            .string(2, "conv").string(3, "conv0").string(4, "Conv")
            .message(5, ints("kernel_shape", 3, 3))
            .message(5, ints("pads", 1, 1, 1, 1))
            .message(5, ints("strides", 1, 1)))
        .message(1, new Proto() // NodeProto: Relu
            .string(1, "conv").string(2, "relu").string(3, "relu0").string(4, "Relu"))
        .string(2, "conv_relu")
        .message(5, tensor("W", weight, channels, in, 3, 3))
        .message(5, tensor("B", bias, channels))
        .message(11, valueInfo("x", Integer.toString(in)))
        .message(12, valueInfo("conv", Integer.toString(channels)))
        .message(12, valueInfo("relu", Integer.toString(channels)));
    return new Proto()
        .varint(1, 8) // ir_version 8
        .string(2, "diffad-test") // producer_name
        .message(7, graph)
        .message(8, new Proto().string(1, "").varint(2, 13)) // opset_import: ai.onnx 13
        .bytes();
  }

  /** AttributeProto of type INTS (7). */
  private static Proto ints(String name, long... values) {
    Proto a = new Proto().string(1, name).varint(20, 7);
    for (long v : values) {
      a.varint(8, v);
    }
    return a;
  }

  /** TensorProto: FLOAT (1), little-endian raw_data. */
  private static Proto tensor(String name, float[] values, long... dims) {
    Proto t = new Proto();
    for (long d : dims) {
      t.varint(1, d);
    }
    ByteBuffer raw = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      raw.putFloat(v);
    }
    return t.varint(2, 1).string(8, name).field(9, raw.array());
  }

  /** ValueInfoProto of a float tensor (N, channels, H, W), N, H and W symbolic. */
  private static Proto valueInfo(String name, String channels) {
    Proto shape = new Proto()
        .message(1, new Proto().string(2, "N"))
        .message(1, new Proto().varint(1, Long.parseLong(channels)))
        .message(1, new Proto().string(2, "H"))
        .message(1, new Proto().string(2, "W"));
    Proto tensorType = new Proto().varint(1, 1).message(2, shape);
    return new Proto().string(1, name).message(2, new Proto().message(1, tensorType));
  }

  /** A protobuf message being written: varint (wire type 0) and length-delimited (2) fields. */
  static final class Proto {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Proto varint(int field, long value) {
      raw((long) field << 3);
      raw(value);
      return this;
    }

    Proto field(int field, byte[] value) {
      raw(((long) field << 3) | 2);
      raw(value.length);
      out.write(value, 0, value.length);
      return this;
    }

    Proto string(int field, String value) {
      return field(field, value.getBytes(StandardCharsets.UTF_8));
    }

    Proto message(int field, Proto value) {
      return field(field, value.bytes());
    }

    byte[] bytes() {
      return out.toByteArray();
    }

    private void raw(long v) {
      while ((v & ~0x7FL) != 0) {
        out.write((int) ((v & 0x7F) | 0x80));
        v >>>= 7;
      }
      out.write((int) v);
    }
  }
}
