package ai.diffad.cli;

import ai.diffad.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code diffad} command line. {@code main} only parses and dispatches; each subcommand is a
 * small class that builds typed values and calls the modules.
 *
 * <p>Exit codes (DESIGN.md): 0 done (rejected inputs included), 2 usage or configuration error (the
 * message names the option or field), 1 anything else.
 */
@Command(
    name = "diffad",
    mixinStandardHelpOptions = true,
    versionProvider = DiffadCli.Version.class,
    description = "Anomaly detection and denoising with diffusion models.",
    subcommands = {
      TrainCommand.class,
      ScoreCommand.class,
      DenoiseCommand.class,
      CalibrateCommand.class,
      EvaluateCommand.class,
      StreamCommand.class,
      BatchCommand.class,
      DashboardCommand.class,
      SampleCommand.class,
      ScheduleCommand.class,
      DemoCommand.class,
      BenchCommand.class,
      FetchBackboneCommand.class,
      CommandLine.HelpCommand.class
    })
public final class DiffadCli implements Runnable {
  /** Exit code for a finished run. */
  public static final int EXIT_OK = 0;
  /** Exit code for anything that is not a usage or configuration error. */
  public static final int EXIT_FAILURE = 1;
  /** Exit code for a usage or configuration error. */
  public static final int EXIT_USAGE = 2;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.err);
    throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
  }

  /** Runs the command line and exits with its code. */
  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs the command line and returns its exit code (used by tests). */
  public static int execute(String... args) {
    CommandLine cl = commandLine();
    return cl.execute(args);
  }

  /** The configured picocli command line: exit codes and error printing as DESIGN.md says. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new DiffadCli());
    cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
      Throwable e = ex;
      if (e instanceof ConfigException ce) {
        cmd.getErr().println("diffad " + cmd.getCommandName() + ": configuration error: " + ce.getMessage());
        return EXIT_USAGE;
      }
      if (e instanceof CommandLine.ParameterException pe) {
        cmd.getErr().println("diffad " + cmd.getCommandName() + ": " + pe.getMessage());
        return EXIT_USAGE;
      }
      cmd.getErr().println("diffad " + cmd.getCommandName() + ": error: " + describe(e));
      if (Boolean.getBoolean("diffad.debug")) {
        e.printStackTrace(cmd.getErr());
      }
      return EXIT_FAILURE;
    });
    cl.setParameterExceptionHandler((ex, args) -> {
      CommandLine cmd = ex.getCommandLine();
      cmd.getErr().println("diffad " + cmd.getCommandName() + ": " + ex.getMessage());
      cmd.getErr().println("Try 'diffad " + (cmd.getCommandName().equals("diffad") ? "" : cmd.getCommandName() + " ") + "--help'.");
      return EXIT_USAGE;
    });
    return cl;
  }

  private static String describe(Throwable e) {
    StringBuilder sb = new StringBuilder(String.valueOf(e.getMessage()));
    Throwable c = e.getCause();
    while (c != null && c != e) {
      if (c.getMessage() != null && !sb.toString().contains(c.getMessage())) {
        sb.append(" (").append(c.getMessage()).append(')');
      }
      e = c;
      c = c.getCause();
    }
    return sb.toString();
  }

  /** Version from the jar manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = DiffadCli.class.getPackage().getImplementationVersion();
      return new String[] {"diffad " + (v == null ? "development build" : v)};
    }
  }
}
