package ai.diffad.cli;

import static ai.diffad.model.util.FileTrees.deleteTree;

import ai.diffad.model.backbone.Backbones;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Fetches the packaged backbones once: {@code npm pack nsfwjs@4.4.0} into the backbone cache
 * (outside the repository), checks the tarball against the SHA-512 integrity pinned here, unpacks
 * it and converts its MobileNetV2 and InceptionV3 to plain TF.js layers files with node. Jobs never
 * download anything; they read the cache and name this command when it is empty.
 */
@Command(name = "fetch-backbone", mixinStandardHelpOptions = true,
    description = {"Download the packaged ImageNet backbones (MobileNetV2, InceptionV3 from the npm"
        + " package nsfwjs 4.4.0, MIT licence) into the backbone cache, once.",
        "Needs npm and node; checks the package's SHA-512 before unpacking."})
final class FetchBackboneCommand implements Callable<Integer> {
  /** npm's integrity of nsfwjs-4.4.0.tgz (sha512, base64), as the registry publishes it. */
  static final String INTEGRITY =
      "sha512-krC1fgeTLXtZwgdpKJ0jm7hqv0gTSRQQRL+FhOaxaJ9Wj92t42BO3csO2odwgTAgZgf2RvkwPtp0R8Aa7dc+MA==";
  /** The models taken from the package. */
  static final List<String> MODELS = List.of("mobilenet_v2", "inception_v3");

  @Spec CommandSpec spec;

  @Option(names = "--cache", description = "Backbone cache (default: DIFFAD_BACKBONES or ~/.cache/diffad/backbones).")
  Path cache;

  @Option(names = "--tarball", description = "Use this nsfwjs-4.4.0.tgz instead of asking npm (it is checked all the same).")
  Path tarball;

  @Option(names = "--force", description = "Fetch again even if the cache has the backbones.")
  boolean force;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    if (cache != null) {
      System.setProperty("diffad.backbones", cache.toAbsolutePath().toString());
    }
    Path target = Backbones.packageDir();
    if (!force && MODELS.stream().allMatch(Backbones::isFetched)) {
      out.println("diffad fetch-backbone: " + MODELS + " already in " + target + " (--force to"
          + " fetch again)");
      return DiffadCli.EXIT_OK;
    }
    Files.createDirectories(target.getParent());
    Path work = Files.createTempDirectory(target.getParent(), ".fetch-");
    try {
      Path tgz = tarball;
      if (tgz == null) {
        out.println("diffad fetch-backbone: npm pack " + Backbones.PACKAGE + "@" + Backbones.VERSION
            + " (about 25 MB)...");
        out.flush();
        run(work, "npm", "pack", Backbones.PACKAGE + "@" + Backbones.VERSION, "--silent");
        tgz = work.resolve(Backbones.PACKAGE + "-" + Backbones.VERSION + ".tgz");
        if (!Files.isRegularFile(tgz)) {
          throw new IOException("npm pack did not write " + tgz.getFileName());
        }
      }
      String integrity = integrity(tgz);
      if (!integrity.equals(INTEGRITY)) {
        throw new IOException(tgz + ": integrity " + integrity + " is not the pinned " + INTEGRITY
            + "; refusing to unpack it");
      }
      out.println("diffad fetch-backbone: integrity verified (" + INTEGRITY.substring(0, 20)
          + "...)");
      run(work, "tar", "xzf", tgz.toAbsolutePath().toString(), "package/LICENSE",
          "package/package.json", "package/dist/models");
      Path converter = work.resolve("convert-nsfwjs.js");
      try (InputStream in = FetchBackboneCommand.class.getResourceAsStream(
          "/backbone/convert-nsfwjs.js")) {
        Files.copy(in, converter);
      }
      Path staged = work.resolve("out");
      for (String m : MODELS) {
        run(work, "node", converter.toString(), work.resolve("package/dist/models/" + m).toString(),
            staged.resolve(m).toString());
      }
      Files.copy(work.resolve("package/LICENSE"), staged.resolve("LICENSE"));
      Files.writeString(staged.resolve("SOURCE"), "npm package " + Backbones.PACKAGE + "@"
          + Backbones.VERSION + " (MIT licence, see LICENSE), tarball integrity " + INTEGRITY
          + "\nconverted by diffad fetch-backbone from dist/models/{" + String.join(",", MODELS)
          + "}\n");
      if (Files.exists(target)) {
        deleteTree(target);
      }
      Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE);
      for (String m : MODELS) {
        out.println("diffad fetch-backbone: " + m + " -> " + Backbones.packaged(m) + " (weights "
            + Backbones.sha256(Backbones.packaged(m).resolveSibling("weights.bin")).substring(0, 12)
            + ")");
      }
      return DiffadCli.EXIT_OK;
    } finally {
      deleteTree(work);
    }
  }

  /** npm's integrity string of a file: "sha512-" + base64 of its SHA-512. */
  static String integrity(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest d = MessageDigest.getInstance("SHA-512");
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) >= 0; ) {
        d.update(buf, 0, n);
      }
      return "sha512-" + Base64.getEncoder().encodeToString(d.digest());
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void run(Path dir, String... command) throws IOException, InterruptedException {
    Process p;
    try {
      p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new IOException(command[0] + " is needed by fetch-backbone and could not be started: "
          + e.getMessage(), e);
    }
    String output = new String(p.getInputStream().readAllBytes());
    if (p.waitFor() != 0) {
      throw new IOException(String.join(" ", command) + " failed (exit " + p.exitValue() + "): "
          + output.strip());
    }
  }
}
