package ai.diffad.config;

/**
 * Online learning for series (NAB lets a detector learn from every row before the one it scores,
 * as HTM does): the model is fine-tuned on a series' (or a stream source's) own past while it is
 * scored — every {@code every} rows, {@code steps} optimiser steps of {@code batchSize} windows
 * drawn from its last {@code history} rows, with the profile's own objective. The cost per row is
 * bounded: steps / every optimiser steps, whatever the series' length.
 *
 * @param every rows between updates (default 500)
 * @param steps optimiser steps per update (default 5)
 * @param batchSize windows per step (default 16)
 * @param learningRate AdamW learning rate, constant (default 2e-4)
 * @param history rows of the past an update learns from (default 2000); at least one window
 * @param ema after an update the served weights move toward the tuned ones as an exponential
 *     moving average, served = ema * served + (1 - ema) * tuned, in [0, 1) (default 0: the tuned
 *     weights as they are); smooths the change of the error scale from one update to the next
 */
public record OnlineConfig(Integer every, Integer steps, Integer batchSize, Double learningRate,
    Integer history, Double ema) implements java.io.Serializable {
  /** Without a moving average of the served weights. */
  public OnlineConfig(Integer every, Integer steps, Integer batchSize, Double learningRate,
      Integer history) {
    this(every, steps, batchSize, learningRate, history, null);
  }

  /** Validates and fills defaults. */
  public OnlineConfig {
    every = every == null ? 500 : every;
    steps = steps == null ? 5 : steps;
    batchSize = batchSize == null ? 16 : batchSize;
    learningRate = learningRate == null ? 2e-4 : learningRate;
    history = history == null ? 2000 : history;
    Check.inRange("every", every, 1, Integer.MAX_VALUE);
    Check.inRange("steps", steps, 1, 100_000);
    Check.inRange("batchSize", batchSize, 1, 4096);
    if (!(learningRate > 0 && learningRate < 1)) {
      throw new ConfigException("learningRate", "must be in (0, 1), got " + learningRate);
    }
    Check.inRange("history", history, 1, 10_000_000);
    ema = ema == null ? 0.0 : ema;
    if (!(ema >= 0 && ema < 1)) {
      throw new ConfigException("ema", "must be in [0, 1), got " + ema);
    }
  }

  /** Optimiser steps per 1,000 rows. */
  public double stepsPerThousandRows() {
    return 1000.0 * steps / every;
  }
}
