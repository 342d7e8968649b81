package ai.diffad.cli;

import ai.diffad.config.ScheduleConfig;
import ai.diffad.config.ScheduleKind;
import ai.diffad.model.schedule.NoiseSchedule;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Prints a noise schedule: beta, alpha-bar and the Gaussian noise level (0-255 scale) that each
 * step corresponds to, so users can pick t* and denoising levels.
 */
@Command(name = "schedule", mixinStandardHelpOptions = true,
    description = "Print a noise schedule: t, beta, alpha_bar, sigma_equiv = 127.5*sqrt((1-alpha_bar)/alpha_bar).")
final class ScheduleCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--schedule", defaultValue = "linear",
      converter = EnumConverters.Schedule.class,
      description = "linear, scaled-linear, cosine or sigmoid (default: ${DEFAULT-VALUE}).")
  ScheduleKind kind;

  @Option(names = "--timesteps", defaultValue = "1000", description = "T (default: ${DEFAULT-VALUE}).")
  int timesteps;

  @Option(names = "--beta-start", description = "First beta (default: the kind's published value).")
  Double betaStart;

  @Option(names = "--beta-end", description = "Last beta (default: the kind's published value).")
  Double betaEnd;

  @Option(names = "--format", defaultValue = "table",
      description = "csv or table (default: ${DEFAULT-VALUE}).")
  String format;

  @Override
  public Integer call() {
    if (!format.equals("csv") && !format.equals("table")) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "--format: must be one of [csv, table], got '" + format + "'");
    }
    ScheduleConfig cfg = new ScheduleConfig(kind, timesteps, betaStart, betaEnd);
    NoiseSchedule s = NoiseSchedule.of(cfg);
    PrintWriter out = spec.commandLine().getOut();
    double[] betas = s.betas();
    double[] abar = s.alphaBars();
    if (format.equals("csv")) {
      out.println("t,beta,alpha_bar,sigma_equiv");
      for (int t = 0; t < s.timesteps(); t++) {
        out.println(t + "," + num(betas[t]) + "," + num(abar[t]) + "," + num(s.sigmaEquiv(t)));
      }
    } else {
      out.printf(Locale.ROOT, "%6s  %14s  %14s  %14s%n", "t", "beta", "alpha_bar", "sigma_equiv");
      for (int t = 0; t < s.timesteps(); t++) {
        out.printf(Locale.ROOT, "%6d  %14.8g  %14.8g  %14.6f%n", t, betas[t], abar[t], s.sigmaEquiv(t));
      }
    }
    out.flush();
    return DiffadCli.EXIT_OK;
  }

  /** 17 significant digits: enough to round-trip a double. */
  private static String num(double v) {
    return String.format(Locale.ROOT, "%.17g", v);
  }
}
