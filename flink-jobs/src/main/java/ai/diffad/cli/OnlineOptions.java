package ai.diffad.cli;

import ai.diffad.config.ConfigException;
import ai.diffad.config.OnlineConfig;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The command-line options of online learning for series ({@link OnlineConfig}), shared by
 * {@code evaluate --kind nab} and {@code bench series-stream}; off unless {@code --online-every}
 * is given.
 */
final class OnlineOptions {
  private static final Map<String, String> FLAGS = Map.of("every", "--online-every", "steps",
      "--online-steps", "batchSize", "--online-batch", "learningRate", "--online-lr", "history",
      "--online-history", "ema", "--online-ema");

  @Option(names = "--online-every", paramLabel = "ROWS", description = "Learn online: fine-tune"
      + " the model on each series' (source's) own past every ROWS rows, from rows before the"
      + " ones it scores only. Default: off.")
  Integer every;

  @Option(names = "--online-steps", defaultValue = "5", description = "With --online-every:"
      + " optimiser steps per update (default ${DEFAULT-VALUE}).")
  int steps;

  @Option(names = "--online-batch", defaultValue = "16", description = "With --online-every:"
      + " windows per step (default ${DEFAULT-VALUE}).")
  int batch;

  @Option(names = "--online-lr", defaultValue = "2e-4", description = "With --online-every:"
      + " learning rate (default ${DEFAULT-VALUE}).")
  double lr;

  @Option(names = "--online-history", defaultValue = "2000", paramLabel = "ROWS", description =
      "With --online-every: rows of the past an update learns from (default ${DEFAULT-VALUE}).")
  int history;

  @Option(names = "--online-ema", defaultValue = "0", description = "With --online-every: the"
      + " served weights follow the tuned ones as a moving average with this decay per update, in"
      + " [0, 1) (default ${DEFAULT-VALUE}: the tuned weights as they are).")
  double ema;

  /** The configuration, or null when off; errors name the option. */
  OnlineConfig build() {
    if (every == null) {
      return null;
    }
    try {
      return new OnlineConfig(every, steps, batch, lr, history, ema);
    } catch (ConfigException e) {
      throw new ConfigException(FLAGS.getOrDefault(e.field(), "--online-every"), e.problem());
    }
  }
}
