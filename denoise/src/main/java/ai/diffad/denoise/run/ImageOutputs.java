package ai.diffad.denoise.run;

import ai.diffad.denoise.engine.AnomalyEngine;
import ai.diffad.denoise.io.ImageEncoder;
import ai.diffad.denoise.io.ImageFormat;
import ai.diffad.denoise.record.DecodedInput;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-image files of a scoring run (score, calibrate, the streaming job), under the output folder:
 * {@code maps/<name>.png} (the anomaly map, 16-bit), {@code overlays/<name>.png} (a heatmap over the
 * input) and {@code denoised/<name>.png} (the reconstruction), where the name is the record id
 * (or, for {@code diffad score}, the input's path relative to its folder argument) made safe by
 * {@link #relative}: the one naming rule of written maps. Each is written atomically (a temporary
 * file renamed), so a reader never sees half a file, and a record replayed after a failure
 * overwrites its own files with the same content: no duplicates.
 */
public final class ImageOutputs {
  private final Path dir;
  private final boolean maps;
  private final boolean denoised;
  private final java.util.function.UnaryOperator<String> nameOfId;

  /**
   * Files named by record id.
   *
   * @param dir the output folder
   * @param maps write maps and overlays
   * @param denoised write reconstructions
   */
  public ImageOutputs(Path dir, boolean maps, boolean denoised) {
    this(dir, maps, denoised, java.util.function.UnaryOperator.identity());
  }

  /**
   * Files named by {@code nameOfId(id)} ('/'-separated), made safe by {@link #relative}.
   *
   * @param dir the output folder
   * @param maps write maps and overlays
   * @param denoised write reconstructions
   * @param nameOfId the name of a record id's files
   */
  public ImageOutputs(Path dir, boolean maps, boolean denoised,
      java.util.function.UnaryOperator<String> nameOfId) {
    this.dir = dir;
    this.maps = maps;
    this.denoised = denoised;
    this.nameOfId = nameOfId;
  }

  /** Whether anything is written. */
  public boolean any() {
    return maps || denoised;
  }

  /** Writes the files of one image; returns their paths by kind (map, overlay, denoised). */
  public Map<String, String> write(DecodedInput d, AnomalyEngine.ScoreResult r) throws IOException {
    Map<String, String> out = new LinkedHashMap<>();
    Path rel = relative(nameOfId.apply(d.id()));
    if (maps) {
      Path map = dir.resolve("maps").resolve(rel);
      Path overlay = dir.resolve("overlays").resolve(rel);
      ImageEncoder.writeAtomically(map,
          ImageEncoder.encodeMap(r.map(), r.height(), r.width(), ImageEncoder.DEFAULT_MAP_SCALE));
      ImageEncoder.writeAtomically(overlay,
          ImageEncoder.encodeOverlay(r.map(), r.height(), r.width(), d.data(), d.channels()));
      out.put("map", map.toString());
      out.put("overlay", overlay.toString());
    }
    if (denoised) {
      Path file = dir.resolve("denoised").resolve(rel);
      ImageEncoder.writeAtomically(file, ImageEncoder.encode(r.reconstruction(), r.channels(),
          r.height(), r.width(), null, 8, ImageFormat.PNG));
      out.put("denoised", file.toString());
    }
    return out;
  }

  /**
   * The relative file for a record id: its '/'-separated segments, each reduced to
   * {@code [A-Za-z0-9._-]} ('.' and '..' segments dropped), ending in .png.
   */
  public static Path relative(String id) {
    List<String> parts = new ArrayList<>();
    for (String seg : id.split("[/\\\\]")) {
      String s = seg.replaceAll("[^A-Za-z0-9._-]", "_");
      if (!s.isEmpty() && !s.equals(".") && !s.equals("..")) {
        parts.add(s);
      }
    }
    if (parts.isEmpty()) {
      parts.add("_");
    }
    String last = parts.remove(parts.size() - 1);
    int dot = last.lastIndexOf('.');
    last = (dot > 0 ? last.substring(0, dot) : last) + ".png";
    parts.add(last);
    return Path.of(parts.get(0), parts.subList(1, parts.size()).toArray(String[]::new));
  }
}
