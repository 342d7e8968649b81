package ai.diffad.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class CliTest {
  /** Output and exit code of one run. */
  record Run(int code, String out, String err) {
    List<String> lines() {
      return out.lines().toList();
    }
  }

  static Run run(String... args) {
    CommandLine cl = DiffadCli.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void helpListsEverySubcommand() {
    Run r = run("--help");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("train", "sample", "schedule", "demo");
  }

  @Test
  void everySubcommandHasHelp() {
    for (String sub : List.of("train", "sample", "schedule", "demo")) {
      Run r = run(sub, "--help");
      assertThat(r.code()).as(sub).isZero();
      assertThat(r.out()).as(sub).contains("Usage: diffad " + sub);
    }
  }

  @Test
  void scheduleCsvHasTheHeaderOneRowPerStepAndPublishedValues() {
    Run r = run("schedule", "--schedule", "linear", "--timesteps", "1000", "--format", "csv");
    assertThat(r.code()).isZero();
    List<String> lines = r.lines();
    assertThat(lines).hasSize(1001);
    assertThat(lines.get(0)).isEqualTo("t,beta,alpha_bar,sigma_equiv");
    // Expected values: Ho et al. linear schedule, computed independently in double precision.
    assertRow(lines.get(1), 0, 0.0001, 0.9999, 1.2750637547815782);
    assertRow(lines.get(57), 56, 0.0012155155155155156, 0.9631871042491253, 24.92612941826618);
    assertRow(lines.get(1000), 999, 0.02, 4.0358297653756754e-05, 20069.428303326964);
  }

  private static void assertRow(String line, int t, double beta, double abar, double sigma) {
    String[] f = line.split(",");
    assertThat(Integer.parseInt(f[0])).isEqualTo(t);
    assertThat(Double.parseDouble(f[1])).isCloseTo(beta, org.assertj.core.data.Percentage.withPercentage(1e-10));
    assertThat(Double.parseDouble(f[2])).isCloseTo(abar, org.assertj.core.data.Percentage.withPercentage(1e-10));
    assertThat(Double.parseDouble(f[3])).isCloseTo(sigma, org.assertj.core.data.Percentage.withPercentage(1e-10));
    // at least 12 significant digits are printed
    for (int i = 1; i < 4; i++) {
      String digits = f[i].replaceAll("[eE].*", "").replaceAll("[^0-9]", "").replaceFirst("^0+", "");
      assertThat(digits.length()).as(f[i]).isGreaterThanOrEqualTo(12);
    }
  }

  @Test
  void unknownScheduleIsAUsageErrorNamingTheAllowedValues() {
    Run r = run("schedule", "--schedule", "quadratic", "--format", "csv");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--schedule").contains("linear, scaled-linear, cosine, sigmoid");
  }

  @Test
  void outOfRangeTimestepsIsAConfigurationErrorWithExitCode2() {
    Run r = run("schedule", "--timesteps", "1");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("timesteps: must be in [2, 100000], got 1");
  }

  private static Run run(String cmd, String option, String file, List<String> more) {
    List<String> args = new java.util.ArrayList<>(List.of(cmd, option, file));
    args.addAll(more);
    return run(args.toArray(String[]::new));
  }

  @Test
  void aConfigurationFileThatIsNotUtf8OrTooLargeIsAConfigurationErrorWithExitCode2(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws java.io.IOException {
    java.nio.file.Path latin1 = dir.resolve("latin1.yaml");
    java.nio.file.Files.write(latin1, new byte[] {'n', 'a', 'm', 'e', ':', ' ', 'x', '\n', '#', (byte) 0xff, '\n'});
    java.nio.file.Path big = dir.resolve("big.yaml");
    java.nio.file.Files.writeString(big, "name: x\n#" + "x".repeat(2 << 20));
    long size = java.nio.file.Files.size(big);
    for (String cmd : List.of("train", "stream")) {
      List<String> more = cmd.equals("train") ? List.of("--data", dir.toString()) : List.of();
      Run r = run(cmd, "--config", latin1.toString(), more);
      assertThat(r.code()).as(cmd).isEqualTo(2);
      assertThat(r.err()).as(cmd).contains("diffad " + cmd + ": configuration error: --config: "
          + latin1 + " is not UTF-8 text: invalid byte ff at byte offset 9");
      r = run(cmd, "--config", big.toString(), more);
      assertThat(r.code()).as(cmd).isEqualTo(2);
      assertThat(r.err()).as(cmd).contains("diffad " + cmd + ": configuration error: --config: "
          + big + " is " + size + " bytes, over the cap of 1048576 bytes (1 MiB)");
    }
  }
}
