package ai.diffad.model.net;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv1d;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;

/** Small factories shared by the U-Net blocks; spatial rank 1 or 2 picks Conv1d or Conv2d. */
final class Layers {
  private Layers() {}

  /**
   * SiLU as two native ops ({@code x * sigmoid(x)}); {@code Activation.swish(x, 1)} spends a
   * third one multiplying by 1.
   */
  static NDArray silu(NDArray x) {
    return x.mul(x.getNDArrayInternal().sigmoid());
  }

  /** A convolution with "same" padding for odd kernels, stride 1 or 2. */
  static Block conv(int dims, int filters, int kernel, int stride) {
    int pad = kernel / 2;
    if (dims == 2) {
      return Conv2d.builder()
          .setFilters(filters)
          .setKernelShape(new Shape(kernel, kernel))
          .optStride(new Shape(stride, stride))
          .optPadding(new Shape(pad, pad))
          .build();
    }
    if (dims == 1) {
      return Conv1d.builder()
          .setFilters(filters)
          .setKernelShape(new Shape(kernel))
          .optStride(new Shape(stride))
          .optPadding(new Shape(pad))
          .build();
    }
    throw new IllegalArgumentException("spatial dims must be 1 or 2, got " + dims);
  }

  static Block linear(int units) {
    return Linear.builder().setUnits(units).build();
  }

  /** Shape {@code s} with its channel axis (1) replaced. */
  static Shape withChannels(Shape s, long channels) {
    long[] d = s.getShape().clone(); // getShape() exposes the internal array
    d[1] = channels;
    return new Shape(d);
  }

  /** (N, C) reshaped to broadcast over the spatial axes of a rank-{@code dims + 2} tensor. */
  static long[] perChannel(long n, long c, int dims) {
    return dims == 2 ? new long[] {n, c, 1, 1} : new long[] {n, c, 1};
  }

  static int gcd(int a, int b) {
    return b == 0 ? a : gcd(b, a % b);
  }
}
