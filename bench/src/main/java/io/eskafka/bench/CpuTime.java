package io.eskafka.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The machine's CPU time from {@code /proc/stat} (Linux), to tell a saturated machine from a slow
 * path, and to wait for background work (RocksDB compactions, the broker's log cleaner) to settle.
 *
 * @param busy jiffies not idle, all CPUs
 * @param total all jiffies, all CPUs
 */
record CpuTime(long busy, long total) {

  /** The current counters, or {@code null} where /proc/stat cannot be read. */
  static CpuTime read() {
    try {
      String[] fields = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long total = 0;
      for (int i = 1; i < fields.length; i++) {
        total += Long.parseLong(fields[i]);
      }
      long idle = Long.parseLong(fields[4]) + Long.parseLong(fields[5]); // idle + iowait
      return new CpuTime(total - idle, total);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** The machine's CPU use since {@code start} (0..1), NaN where unknown. */
  static double busySince(CpuTime start) {
    CpuTime now = read();
    return start == null || now == null || now.total == start.total
        ? Double.NaN : (double) (now.busy - start.busy) / (now.total - start.total);
  }

  /**
   * Waits until the machine's CPU use over one second is below {@code threshold}, at most
   * {@code max}.
   *
   * @return the seconds waited, or -1 if it never got that quiet (or CPU time is unknown)
   */
  static double awaitQuiet(double threshold, Duration max) throws InterruptedException {
    return Quiet.await(max, () -> {
      CpuTime before = read();
      if (before == null) {
        return null;
      }
      Thread.sleep(1_000);
      return busySince(before) < threshold;
    });
  }
}
