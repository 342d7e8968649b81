package ai.diffad.denoise.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Reads MNIST-style idx files (optionally gzipped) directly: {@code *-images-idx3-ubyte[.gz]} and
 * the matching {@code *-labels-idx1-ubyte[.gz]}.
 */
public final class MnistIdx {
  private MnistIdx() {}

  /**
   * Loads digits as items in [-1, 1] (0 = background = -1), padded with background to
   * {@code padTo} (0: keep 28x28). {@code path} is the images file or a folder holding one.
   */
  public static InMemoryTrainingSet load(Path path, int padTo) throws IOException {
    Path images = Files.isDirectory(path) ? findImages(path) : path;
    Path labels = Path.of(images.toString().replace("images-idx3", "labels-idx1"));
    byte[][] pixels;
    int rows;
    int cols;
    try (DataInputStream in = open(images)) {
      int magic = in.readInt();
      if (magic != 0x803) {
        throw new IOException(images + ": not an idx3 image file (magic " + Integer.toHexString(magic) + ")");
      }
      int n = in.readInt();
      rows = in.readInt();
      cols = in.readInt();
      pixels = new byte[n][rows * cols];
      for (int i = 0; i < n; i++) {
        in.readFully(pixels[i]);
      }
    }
    int[] lab = null;
    if (Files.exists(labels)) {
      try (DataInputStream in = open(labels)) {
        int magic = in.readInt();
        if (magic != 0x801) {
          throw new IOException(labels + ": not an idx1 label file");
        }
        int n = in.readInt();
        if (n != pixels.length) {
          throw new IOException(labels + ": " + n + " labels for " + pixels.length + " images");
        }
        lab = new int[n];
        for (int i = 0; i < n; i++) {
          lab[i] = in.readUnsignedByte();
        }
      }
    }
    int side = Math.max(padTo, Math.max(rows, cols));
    int offR = (side - rows) / 2;
    int offC = (side - cols) / 2;
    List<InMemoryTrainingSet.Item> items = new ArrayList<>(pixels.length);
    for (int i = 0; i < pixels.length; i++) {
      float[] x = new float[side * side];
      java.util.Arrays.fill(x, -1f);
      for (int r = 0; r < rows; r++) {
        for (int c = 0; c < cols; c++) {
          x[(r + offR) * side + c + offC] = (pixels[i][r * cols + c] & 0xff) / 127.5f - 1f;
        }
      }
      items.add(new InMemoryTrainingSet.Item(x, side, side, lab == null ? -1 : lab[i]));
    }
    return new InMemoryTrainingSet(items, 1, images.toString());
  }

  private static Path findImages(Path dir) throws IOException {
    try (var s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().contains("images-idx3"))
          .sorted()
          .findFirst()
          .orElseThrow(() -> new IOException(dir + ": no *-images-idx3-ubyte[.gz] file"));
    }
  }

  private static DataInputStream open(Path p) throws IOException {
    InputStream in = new BufferedInputStream(Files.newInputStream(p), 1 << 16);
    if (p.toString().endsWith(".gz")) {
      in = new GZIPInputStream(in, 1 << 16);
    }
    return new DataInputStream(in);
  }
}
