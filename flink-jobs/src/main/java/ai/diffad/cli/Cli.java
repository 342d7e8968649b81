package ai.diffad.cli;

import ai.diffad.config.EngineConfig;
import ai.diffad.denoise.calibrate.Calibration;
import ai.diffad.denoise.calibrate.CalibrationStore;
import ai.diffad.denoise.calibrate.ScoreSettings;
import ai.diffad.model.util.ProgressBars;
import ai.diffad.model.util.ProgressReporter;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** Small helpers the commands share. */
final class Cli {
  private Cli() {}

  /** How the commands' progress bars look on a terminal. */
  static final UnaryOperator<ProgressBarBuilder> BAR = b -> b.setStyle(ProgressBarStyle.ASCII)
      .setConsumer(new ConsoleProgressBarConsumer(System.err));

  /** Progress on stderr: a bar on a terminal, plain lines in a log ({@link ProgressBars}). */
  static ProgressReporter progress(String task, long max) {
    return ProgressBars.open(task, max, BAR);
  }

  /**
   * {@link #progress} as a {@link ProgressBar} (it also prints plain lines in a log), for the
   * callers typed as one.
   */
  static ProgressBar bar(String task, long max) {
    return ProgressBars.progressBar(task, max, BAR);
  }

  /**
   * The model's calibration if it was made with these engine settings; otherwise null, with a
   * warning that names the settings that differ.
   */
  static Calibration calibrationFor(Path model, EngineConfig cfg, PrintWriter err) {
    Optional<Calibration> cal = CalibrationStore.read(model);
    if (cal.isEmpty()) {
      err.println("diffad: note: " + model + " is not calibrated (run diffad calibrate); records carry no normalized/threshold/anomalous");
      err.flush();
      return null;
    }
    List<String> diff = cal.get().differences(ScoreSettings.of(cfg));
    if (!diff.isEmpty()) {
      err.println("diffad: warning: the calibration was made with other settings (" + String.join("; ", diff)
          + "); records carry no normalized/threshold/anomalous");
      err.flush();
      return null;
    }
    return cal.get();
  }
}
