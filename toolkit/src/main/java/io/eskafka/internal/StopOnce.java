package io.eskafka.internal;

/**
 * Stops a resource exactly once: on {@link #close()}, or at JVM exit if nobody closed it (a
 * forgotten close must not leave a process or a temporary directory behind). Thread-safe.
 */
public final class StopOnce implements AutoCloseable {

  private final Runnable stop;
  private final Thread shutdownHook;
  private boolean stopped;

  /**
   * Registers the JVM shutdown hook.
   *
   * @param name name of the hook thread, for thread dumps
   * @param stop what stopping means; runs at most once
   */
  public StopOnce(String name, Runnable stop) {
    this.stop = stop;
    this.shutdownHook = new Thread(this::stopNow, name);
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /** Stops now and unregisters the hook. Idempotent; blocks until stopped. */
  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException alreadyShuttingDown) {
      // The hook is running or about to; stopNow is idempotent anyway.
    }
    stopNow();
  }

  private synchronized void stopNow() {
    if (stopped) {
      return;
    }
    stopped = true;
    stop.run();
  }
}
