package ai.diffad.dashboard;

/**
 * Where the dashboard's records come from: a results folder ({@link FolderFeed}) or the result
 * topics ({@link TopicsFeed}). A feed reads on its own thread from {@link #start} until
 * {@link #close} and hands every record to the state; it never waits for a browser.
 */
public interface Feed extends AutoCloseable {
  /** Starts reading into {@code state}. */
  void start(DashboardState state);

  /** What it reads, for the page and the command's output. */
  String describe();

  /** Stops reading and joins the thread. */
  @Override
  void close();
}
