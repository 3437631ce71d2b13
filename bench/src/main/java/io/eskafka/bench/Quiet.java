package io.eskafka.bench;

import java.time.Duration;

/**
 * Waiting for background work to die down before a measurement (the machine's CPU, the JIT
 * compiler): one second measured at a time until one was quiet, or a deadline passed.
 */
final class Quiet {

  /** Measures one second (sleeping through it). */
  interface Second {
    /**
     * Takes a reading, sleeps a second, takes another.
     *
     * @return whether the second was quiet, or {@code null} where it cannot be measured
     */
    Boolean measure() throws InterruptedException;
  }

  private Quiet() {}

  /**
   * Measures seconds until one is quiet, at most {@code max}.
   *
   * @return the seconds waited, or -1 if none was quiet (or nothing can be measured)
   */
  static double await(Duration max, Second second) throws InterruptedException {
    long start = System.nanoTime();
    long deadline = start + max.toNanos();
    while (System.nanoTime() < deadline) {
      Boolean quiet = second.measure();
      if (quiet == null) {
        return -1;
      }
      if (quiet) {
        return (System.nanoTime() - start) / 1e9;
      }
    }
    return -1;
  }
}
