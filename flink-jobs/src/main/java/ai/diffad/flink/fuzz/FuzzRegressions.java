package ai.diffad.flink.fuzz;

import ai.diffad.flink.fuzz.FuzzCase.Expect;
import ai.diffad.flink.fuzz.FuzzCase.Model;
import ai.diffad.flink.fuzz.FuzzCase.Route;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Fuzz cases as files: the input itself ({@code <kind>-<seed>-<index>.<ext>}: the file, the
 * bytes behind a base64 field as {@code .bin}, a Kafka message value as {@code .json}), and one
 * line per case in the folder's {@code expected.tsv}: file, route, model, expected outcome, and
 * for a Kafka message naming a file, the companion file and the name it is written under.
 */
public final class FuzzRegressions {
  /** The list of cases in a regression folder. */
  public static final String LIST = "expected.tsv";

  private FuzzRegressions() {}

  /** Writes {@code c} into {@code dir} and adds its line to the list. */
  public static Path write(Path dir, FuzzCase c, FuzzRunner.Result r) throws IOException {
    Files.createDirectories(dir);
    String base = c.route().name().toLowerCase() + "-" + c.model().name().toLowerCase() + "-" + c.label();
    String ext = switch (c.route()) {
      case FILE -> {
        int dot = c.fileName().lastIndexOf('.');
        yield dot < 0 ? "" : c.fileName().substring(dot);
      }
      case BASE64 -> ".bin";
      case KAFKA -> ".json";
    };
    Path f = dir.resolve(base + ext);
    Files.write(f, c.bytes() == null ? new byte[0] : c.bytes());
    String companion = "";
    if (c.attachment() != null) {
      Path a = dir.resolve(base + ".attachment");
      Files.write(a, c.attachment());
      companion = "\t" + a.getFileName() + "\t" + c.fileName();
    }
    String line = f.getFileName() + "\t" + c.route() + "\t" + c.model() + "\t" + c.expect()
        + (c.bytes() == null ? "\ttombstone" : "") + companion
        + "\t# " + r.outcome() + (r.problem() == null ? " (passes)" : ": "
            + FuzzRunner.abbreviate(r.problem()).replace('\t', ' ').replace('\n', ' ')) + "\n";
    Files.writeString(dir.resolve(LIST), line, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
    return f;
  }

  /** The cases listed in {@code dir}'s {@code expected.tsv} (comments after '#' ignored). */
  public static List<FuzzCase> read(Path dir) throws IOException {
    List<FuzzCase> out = new ArrayList<>();
    int i = 0;
    for (String raw : Files.readAllLines(dir.resolve(LIST), StandardCharsets.UTF_8)) {
      int hash = raw.indexOf('#');
      String line = (hash < 0 ? raw : raw.substring(0, hash)).strip();
      if (line.isEmpty()) {
        continue;
      }
      String[] f = line.split("\t");
      Route route = Route.valueOf(f[1].trim());
      Model model = Model.valueOf(f[2].trim());
      Expect expect = Expect.parse(f[3]);
      boolean tombstone = f.length > 4 && f[4].trim().equals("tombstone");
      byte[] bytes = tombstone ? null : Files.readAllBytes(dir.resolve(f[0].trim()));
      byte[] attachment = null;
      String fileName = route == Route.FILE ? "regression-" + i + ext(f[0].trim()) : null;
      if (!tombstone && f.length > 5) {
        attachment = Files.readAllBytes(dir.resolve(f[4].trim()));
        fileName = f[5].trim();
      }
      out.add(new FuzzCase(0, i, f[0].trim(), route, model, fileName, bytes, attachment, expect));
      i++;
    }
    return out;
  }

  private static String ext(String name) {
    int dot = name.lastIndexOf('.');
    return dot < 0 ? "" : name.substring(dot);
  }
}
