package io.eskafka.bench;

import io.eskafka.client.CommandGateway;
import io.eskafka.client.CommandResult;
import io.eskafka.examples.bank.commands.Deposit;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/** Commands through the {@link CommandGateway}: round trips, as a client sees them. */
final class GatewayLoad {

  /**
   * What one gateway workload measured. Latencies in microseconds; the two halves of a round trip
   * in milliseconds (the decision time is the application's wall clock, to the millisecond):
   * {@code toDecision} from the command's due time to its decision, {@code afterDecision} from
   * there to the result in the client's hands (the commit and the result's way back).
   * {@code cpuBusy} is the machine's CPU use during the workload (0..1; NaN where unknown).
   */
  record Outcome(long completed, long failed, double seconds, Histogram latency,
      Histogram toDecision, Histogram afterDecision, double cpuBusy) {
    double perSecond() {
      return completed / seconds;
    }

    double percentileMillis(double percentile) {
      return latency.getValueAtPercentile(percentile) / 1000.0;
    }
  }

  private GatewayLoad() {}

  /** Keeps {@code inFlight} commands outstanding for {@code duration}. */
  static Outcome closedLoop(CommandGateway gateway, int accounts, int inFlight, Duration duration)
      throws InterruptedException {
    Recorder recorder = new Recorder(3);
    Semaphore slots = new Semaphore(inFlight);
    AtomicLong completed = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    long start = System.nanoTime();
    long end = start + duration.toNanos();
    while (System.nanoTime() < end) {
      if (!slots.tryAcquire(100, TimeUnit.MILLISECONDS)) {
        continue;
      }
      long sent = System.nanoTime();
      send(gateway, accounts).whenComplete((result, error) -> {
        record(recorder, completed, failed, sent, result, error);
        slots.release();
      });
    }
    slots.acquire(inFlight); // let the last ones finish; their time counts
    double seconds = (System.nanoTime() - start) / 1e9;
    return new Outcome(completed.get(), failed.get(), seconds, recorder.getIntervalHistogram(),
        new Histogram(3), new Histogram(3), Double.NaN);
  }

  /**
   * Sends at a fixed rate for {@code duration}. Latency is measured from the time each command was
   * due, not when it was sent, so a stalled sender cannot hide queueing (coordinated omission).
   */
  static Outcome fixedRate(CommandGateway gateway, int accounts, double perSecond,
      Duration duration) throws InterruptedException {
    Recorder recorder = new Recorder(3);
    Recorder toDecision = new Recorder(3);
    Recorder afterDecision = new Recorder(3);
    AtomicLong completed = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    CpuTime cpu = CpuTime.read();
    long interval = (long) (1e9 / perSecond);
    long start = System.nanoTime();
    long count = (long) (perSecond * duration.toSeconds());
    CompletableFuture<?>[] all = new CompletableFuture<?>[(int) count];
    for (long i = 0; i < count; i++) {
      long due = start + i * interval;
      long wait = due - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      long dueWallMillis = System.currentTimeMillis() - (System.nanoTime() - due) / 1_000_000;
      all[(int) i] = send(gateway, accounts).whenComplete((result, error) -> {
        record(recorder, completed, failed, due, result, error);
        if (error == null && result.accepted()) {
          long decided = result.decidedAt().toEpochMilli();
          toDecision.recordValue(Math.max(0, decided - dueWallMillis));
          afterDecision.recordValue(Math.max(0, System.currentTimeMillis() - decided));
        }
      });
    }
    try {
      CompletableFuture.allOf(all).get(2, TimeUnit.MINUTES);
    } catch (Exception e) {
      // counted as failures through whenComplete
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    return new Outcome(completed.get(), failed.get(), seconds, recorder.getIntervalHistogram(),
        toDecision.getIntervalHistogram(), afterDecision.getIntervalHistogram(),
        CpuTime.busySince(cpu));
  }

  private static CompletableFuture<CommandResult> send(CommandGateway gateway, int accounts) {
    int account = ThreadLocalRandom.current().nextInt(accounts);
    return gateway.send(CommandLoad.account(account), new Deposit(1L));
  }

  private static void record(Recorder recorder, AtomicLong completed, AtomicLong failed,
      long since, CommandResult result, Throwable error) {
    if (error != null || !result.accepted()) {
      failed.incrementAndGet();
      return;
    }
    recorder.recordValue(Math.max(0, (System.nanoTime() - since) / 1000));
    completed.incrementAndGet();
  }
}
