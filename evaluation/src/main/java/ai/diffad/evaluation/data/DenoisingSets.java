package ai.diffad.evaluation.data;

import ai.diffad.denoise.io.DecodedImage;
import ai.diffad.denoise.io.ImageDecoder;
import ai.diffad.denoise.record.RejectedInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The clean-image sets of a denoising evaluation, found in a folder that is either one set (it
 * holds images itself, e.g. {@code denoising_testsets/Set12}) or a folder of sets (its sub-folders
 * hold the images, e.g. {@code denoising_testsets} with Set12, BSD68, CBSD68, Kodak24).
 *
 * <p>Without names, a folder of sets gives the sets whose colour matches the model: for a gray
 * model the folders whose first image is gray (Set12, BSD68), for an RGB model the colour ones
 * (CBSD68, Kodak24); when none match, all of them. Named sets are taken in the order given, and
 * colour images are converted to the model's channels ({@link CleanImageSet#open}).
 */
public final class DenoisingSets {
  /**
   * The sets chosen.
   *
   * @param sets name to images, in evaluation order
   * @param skipped sets in the folder that were not chosen
   * @param rule how they were chosen, in words (for the report)
   */
  public record Selection(Map<String, CleanImageSet> sets, List<String> skipped, String rule) {}

  private DenoisingSets() {}

  /**
   * Finds and loads the sets.
   *
   * @param dataset one clean-image folder or a folder of them
   * @param channels the model's channels (1 gray, 3 RGB)
   * @param names the sets wanted (sub-folder names), or empty for the default choice
   * @throws IOException if a folder cannot be read, holds no images, or a named set is missing
   */
  public static Selection open(Path dataset, int channels, List<String> names)
      throws IOException {
    if (!Files.isDirectory(dataset)) {
      throw new IOException(dataset + " is not a folder");
    }
    Map<String, CleanImageSet> sets = new LinkedHashMap<>();
    if (!MvtecDataset.images(dataset).isEmpty()) {
      String name = dataset.toAbsolutePath().normalize().getFileName().toString();
      if (!names.isEmpty() && !(names.size() == 1 && names.get(0).equals(name))) {
        throw new IOException(dataset + " is a single set (" + name + "), not a folder of sets "
            + names);
      }
      sets.put(name, CleanImageSet.open(dataset, channels));
      return new Selection(sets, List.of(), "the folder itself is the set");
    }
    List<Path> folders = new ArrayList<>();
    for (Path p : MvtecDataset.sortedChildren(dataset)) {
      if (Files.isDirectory(p) && !MvtecDataset.images(p).isEmpty()) {
        folders.add(p);
      }
    }
    if (folders.isEmpty()) {
      throw new IOException(dataset + " holds no images and no folders of images");
    }
    List<String> available = folders.stream().map(p -> p.getFileName().toString()).toList();
    List<String> skipped = new ArrayList<>(available);
    String rule;
    if (!names.isEmpty()) {
      for (String n : names) {
        if (!available.contains(n)) {
          throw new IOException(dataset + " has no set '" + n + "'; it has " + available);
        }
        if (!sets.containsKey(n)) {
          sets.put(n, CleanImageSet.open(dataset.resolve(n), channels));
          skipped.remove(n);
        }
      }
      rule = "named on the command line";
    } else {
      ImageDecoder decoder = new ImageDecoder(Long.MAX_VALUE);
      for (Path f : folders) {
        if (colourOf(decoder, MvtecDataset.images(f).get(0)) == channels) {
          sets.put(f.getFileName().toString(), CleanImageSet.open(f, channels));
          skipped.remove(f.getFileName().toString());
        }
      }
      String kind = channels == 1 ? "gray" : "colour";
      rule = "the " + kind + " sets, matching the " + kind + " model";
      if (sets.isEmpty()) {
        for (Path f : folders) {
          sets.put(f.getFileName().toString(), CleanImageSet.open(f, channels));
        }
        skipped.clear();
        rule = "all sets (none is " + kind + "; images converted to " + kind + ")";
      }
    }
    return new Selection(sets, List.copyOf(skipped), rule);
  }

  /** 1 for a gray file, 3 for a colour one. */
  private static int colourOf(ImageDecoder decoder, Path file) throws IOException {
    try {
      DecodedImage d = decoder.decode(file);
      return d.channels();
    } catch (RejectedInputException e) {
      throw new IOException(file + ": " + e.reason() + ": " + e.detail(), e);
    }
  }
}
