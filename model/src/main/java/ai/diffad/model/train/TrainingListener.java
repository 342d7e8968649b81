package ai.diffad.model.train;

/** Receives a report after every optimisation step (on the training thread; keep it cheap). */
@FunctionalInterface
public interface TrainingListener {
  /** Called after each step. */
  void onStep(StepReport report);
}
