package ai.diffad.evaluation.data;

import ai.diffad.denoise.io.Images;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * One category in the MVTec AD layout: {@code train/good/*}, {@code test/good/*},
 * {@code test/<defect>/*} and {@code ground_truth/<defect>/<name>_mask.png}. Files are listed in
 * name order, so runs are reproducible.
 */
public final class MvtecDataset {
  /** Label of a defect-free image. */
  public static final int GOOD = 0;
  /** Label of a defective image. */
  public static final int DEFECT = 1;

  private static final String GOOD_DIR = "good";

  /**
   * One test image.
   *
   * @param image the image file
   * @param label {@link #GOOD} or {@link #DEFECT}
   * @param defectType the {@code test/} sub-folder ("good" for good images)
   * @param mask the ground-truth mask, or null when there is none (good images, or a defect
   *     image whose mask is missing — see {@link MvtecDataset#missingMasks()})
   */
  public record TestItem(Path image, int label, String defectType, Path mask) {
    /** True for defective images. */
    public boolean defective() {
      return label == DEFECT;
    }

    /** The mask at {@code height x width} (all false when there is no mask). */
    public boolean[] loadMask(int height, int width) throws IOException {
      return mask == null
          ? new boolean[height * width]
          : MvtecDataset.loadMask(mask, height, width);
    }
  }

  private final Path root;
  private final List<Path> train;
  private final List<TestItem> test;
  private final List<String> defectTypes;
  private final List<Path> missingMasks;

  private MvtecDataset(Path root, List<Path> train, List<TestItem> test, List<String> defectTypes,
      List<Path> missingMasks) {
    this.root = root;
    this.train = List.copyOf(train);
    this.test = List.copyOf(test);
    this.defectTypes = List.copyOf(defectTypes);
    this.missingMasks = List.copyOf(missingMasks);
  }

  /** Lists a category folder (the one holding {@code train/} and {@code test/}). */
  public static MvtecDataset open(Path categoryDir) throws IOException {
    Path trainGood = categoryDir.resolve("train").resolve(GOOD_DIR);
    Path testDir = categoryDir.resolve("test");
    if (!Files.isDirectory(trainGood) || !Files.isDirectory(testDir)) {
      throw new IOException(categoryDir + " is not an MVTec-layout category: needs "
          + "train/good/ and test/");
    }
    List<Path> train = images(trainGood);
    List<TestItem> test = new ArrayList<>();
    List<String> defects = new ArrayList<>();
    List<Path> missing = new ArrayList<>();
    for (Path sub : sortedChildren(testDir)) {
      if (!Files.isDirectory(sub)) {
        continue;
      }
      String type = sub.getFileName().toString();
      boolean good = GOOD_DIR.equals(type);
      if (!good) {
        defects.add(type);
      }
      for (Path img : images(sub)) {
        Path mask = findMask(categoryDir.resolve("ground_truth").resolve(type), img);
        if (!good && mask == null) {
          missing.add(img);
        }
        test.add(new TestItem(img, good ? GOOD : DEFECT, type, mask));
      }
    }
    return new MvtecDataset(categoryDir, train, test, defects, missing);
  }

  /** The category folder. */
  public Path root() {
    return root;
  }

  /** {@code train/good} images in name order. */
  public List<Path> train() {
    return train;
  }

  /** Test images: {@code test/} sub-folders in name order ("good" among them), files too. */
  public List<TestItem> test() {
    return test;
  }

  /** Defect folder names under {@code test/}, in name order ("good" excluded). */
  public List<String> defectTypes() {
    return defectTypes;
  }

  /** Defective test images without a mask file (pixel metrics cannot use them). */
  public List<Path> missingMasks() {
    return missingMasks;
  }

  /**
   * Loads a mask as booleans at {@code height x width}: a pixel is defect when its gray value is
   * above half range (masks are 0/255). A mask of another size is resized nearest-neighbour.
   */
  public static boolean[] loadMask(Path mask, int height, int width) throws IOException {
    Images.Planar p = Images.read(mask, 1, 0);
    boolean[] out = new boolean[height * width];
    for (int y = 0; y < height; y++) {
      int sy = (int) ((long) y * p.height() / height);
      for (int x = 0; x < width; x++) {
        int sx = (int) ((long) x * p.width() / width);
        out[y * width + x] = p.data()[sy * p.width() + sx] > 0.0f;
      }
    }
    return out;
  }

  private static Path findMask(Path gtDir, Path image) {
    String name = image.getFileName().toString();
    int dot = name.lastIndexOf('.');
    String stem = dot < 0 ? name : name.substring(0, dot);
    for (String ext : new String[] {".png", name.substring(Math.max(dot, 0))}) {
      Path m = gtDir.resolve(stem + "_mask" + ext);
      if (Files.isRegularFile(m)) {
        return m;
      }
    }
    return null;
  }

  static boolean isImage(Path p) {
    String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
    return Files.isRegularFile(p) && (n.endsWith(".png") || n.endsWith(".jpg")
        || n.endsWith(".jpeg") || n.endsWith(".bmp") || n.endsWith(".tif")
        || n.endsWith(".tiff"));
  }

  static List<Path> images(Path dir) throws IOException {
    List<Path> out = new ArrayList<>();
    for (Path p : sortedChildren(dir)) {
      if (isImage(p)) {
        out.add(p);
      }
    }
    return out;
  }

  static List<Path> sortedChildren(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.sorted().toList();
    }
  }
}
