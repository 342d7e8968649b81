package ai.diffad.cli.demo;

import ai.diffad.denoise.data.SyntheticInspection;
import ai.diffad.denoise.io.ImageEncoder;
import ai.diffad.denoise.io.ImageFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The synthetic inspection set and its truth: stripe textures, a quarter with a pasted defect
 * whose pixels are known, written as PNGs by camera (cam1/, cam2/ alternately) with truth.csv and
 * the defect masks; two files that cannot be scored; and held-out normal images for calibration.
 *
 * @param drops the files the feeder drops, in order (the two bad ones a third and two thirds in)
 * @param truth image id (its path under the watched folder) to defect kind, or {@link #NONE}
 * @param truthCsv where the truth was written
 * @param normals the folder of the held-out normal images
 * @param normalCount how many held-out normal images there are
 */
public record DemoData(List<Drop> drops, Map<String, String> truth, Path truthCsv, Path normals,
    int normalCount) {
  /** Seed of the inspection set; the held-out normal images and the training data use others. */
  public static final long SET_SEED = 2026;
  public static final long CALIBRATION_SEED = 99;
  /** Share of the inspection set with a pasted defect. */
  public static final double DEFECT_SHARE = 0.25;
  /** The two files among the images that cannot be scored. */
  public static final String EMPTY_FILE = "cam1/img-empty.png";
  public static final String TEXT_FILE = "cam2/notes.png";
  /** The truth's defect kind of a normal image. */
  public static final String NONE = "none";

  /** One file the feeder drops: its path relative to the watched folder, and where it is copied from. */
  public record Drop(String id, Path file) {}

  public DemoData {
    drops = List.copyOf(drops);
    truth = Collections.unmodifiableMap(new LinkedHashMap<>(truth));
  }

  /** Whether the truth has a pasted defect in {@code id} (unknown ids count as normal). */
  public boolean defective(String id) {
    return !NONE.equals(truth.getOrDefault(id, NONE));
  }

  /** Pasted defects in the set. */
  public int defects() {
    return (int) truth.values().stream().filter(k -> !NONE.equals(k)).count();
  }

  /**
   * Phase 1: writes {@code images} test images of {@code size}x{@code size} under
   * {@code inspection}, and held-out normal ones under {@code calibration}/normal/.
   */
  public static DemoData generate(int images, int size, Path inspection, Path calibration, DemoLog log)
      throws IOException {
    // Enough normal images that their 0.99 quantile is near the true one, not just their maximum.
    int normalCount = Math.max(8, Math.min(100, images * 5 / 4));
    List<SyntheticInspection.Sample> set = SyntheticInspection.inspectionSet(images, size, DEFECT_SHARE, SET_SEED);
    int defects = (int) set.stream().filter(SyntheticInspection.Sample::defective).count();
    log.phase(1, String.format(Locale.ROOT, "generating %d test images of %dx%d (%d with a pasted defect)"
        + " and %d held-out normal ones -> %s", images, size, size, defects, normalCount,
        DemoLog.show(inspection)));
    Map<String, String> truth = new LinkedHashMap<>();
    List<Drop> drops = writeInspection(set, inspection, truth);
    Path normals = calibration.resolve("normal");
    for (SyntheticInspection.Sample s : SyntheticInspection.normals(normalCount, size, CALIBRATION_SEED)) {
      writePng(normals.resolve(String.format(Locale.ROOT, "normal-%03d.png", s.index())), s.pixels(), size);
    }
    return new DemoData(drops, truth, inspection.resolve("truth.csv"), normals, normalCount);
  }

  /**
   * Writes the set as PNGs under {@code dir}, truth.csv and the defect masks, and the two bad files
   * under bad/; fills {@code truth}; returns the files to drop in order.
   */
  private static List<Drop> writeInspection(List<SyntheticInspection.Sample> set, Path dir,
      Map<String, String> truth) throws IOException {
    int digits = Math.max(3, String.valueOf(set.size() - 1).length());
    List<Drop> drops = new ArrayList<>();
    StringBuilder csv = new StringBuilder("file,defect,x,y,width,height,pixels\n");
    for (SyntheticInspection.Sample s : set) {
      String id = String.format(Locale.ROOT, "cam%d/img-%0" + digits + "d.png", 1 + s.index() % 2, s.index());
      writePng(dir.resolve(id), s.pixels(), s.size());
      drops.add(new Drop(id, dir.resolve(id)));
      if (s.defective()) {
        SyntheticInspection.Box b = s.box();
        truth.put(id, s.defect().spelling());
        csv.append(String.format(Locale.ROOT, "%s,%s,%d,%d,%d,%d,%d%n", id, s.defect().spelling(),
            b.x(), b.y(), b.width(), b.height(), s.defectPixels()));
        float[] mask = new float[s.mask().length];
        for (int i = 0; i < mask.length; i++) {
          mask[i] = s.mask()[i] ? 1f : -1f;
        }
        writePng(dir.resolve("masks").resolve(id), mask, s.size());
      } else {
        truth.put(id, NONE);
        csv.append(id).append(',').append(NONE).append(",,,,,0\n");
      }
    }
    Files.writeString(dir.resolve("truth.csv"), csv.toString());
    Path empty = dir.resolve("bad").resolve(EMPTY_FILE);
    Path text = dir.resolve("bad").resolve(TEXT_FILE);
    Files.createDirectories(empty.getParent());
    Files.createDirectories(text.getParent());
    Files.write(empty, new byte[0]);
    Files.writeString(text, "inspection notes: this is text, not an image\n");
    drops.add(2 * drops.size() / 3, new Drop(TEXT_FILE, text));
    drops.add(drops.size() / 3, new Drop(EMPTY_FILE, empty));
    return drops;
  }

  private static void writePng(Path file, float[] pixels, int size) throws IOException {
    Files.createDirectories(file.getParent());
    Files.write(file, ImageEncoder.encode(pixels, 1, size, size, null, 8, ImageFormat.PNG));
  }
}
