package io.eskafka.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;

/**
 * The JIT compiler's work in this JVM. Every application of a run lives in the runner's JVM, and
 * on 2 cores the compiler threads of a young JVM take a large share of the machine: a workload
 * measured while they are busy is measured slow (see docs/benchmarks.md, "The position effect was the JIT compiler").
 */
final class JitTime {

  private JitTime() {}

  /** Milliseconds the JIT compiler has spent so far (all compiler threads), -1 where unknown. */
  static long compileMillis() {
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    return jit != null && jit.isCompilationTimeMonitoringSupported()
        ? jit.getTotalCompilationTime() : -1;
  }

  /**
   * Waits until the compiler spends less than {@code millisPerSecond} in one second, at most
   * {@code max}.
   *
   * @return the seconds waited, or -1 if it never got that quiet (or the time is unknown)
   */
  static double awaitQuiet(long millisPerSecond, Duration max) throws InterruptedException {
    return Quiet.await(max, () -> {
      long before = compileMillis();
      if (before < 0) {
        return null;
      }
      Thread.sleep(1_000);
      return compileMillis() - before < millisPerSecond;
    });
  }
}
