package io.eskafka.bench;

import io.eskafka.client.CommandGateway;
import io.eskafka.client.CommandResult;
import io.eskafka.client.StoredEvent;
import io.eskafka.examples.bank.commands.Deposit;
import io.eskafka.examples.bank.commands.OpenAccount;
import io.eskafka.examples.bank.state.BankAccountState;
import io.eskafka.kafka.AggregateApp;
import io.eskafka.kafka.StreamQueries;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * One stream read from the per-stream index: appends a stream of {@code events} events, then times
 * {@code StreamQueries.events} (decoded events) and {@code stateAt} half-way (a replay) on the
 * instance that owns it, one read at a time.
 */
final class StreamReadLoad {

  /** Latencies in microseconds; {@code cpuBusy} is the machine's CPU use meanwhile (0..1). */
  record Outcome(int events, Histogram read, Histogram replay, double cpuBusy) {
    static double millis(Histogram histogram, double percentile) {
      return histogram.getValueAtPercentile(percentile) / 1000.0;
    }
  }

  static final String STREAM = "bench-stream-read";
  private static final int WARM_UP = 50;

  private StreamReadLoad() {}

  /** Appends the stream's events and waits until the owning instance has indexed them. */
  static void append(AggregateApp<BankAccountState> app, CommandGateway gateway, int events)
      throws Exception {
    List<CompletableFuture<CommandResult>> sent = new ArrayList<>();
    sent.add(gateway.send(STREAM, new OpenAccount("bench")));
    for (int i = 1; i < events; i++) {
      sent.add(gateway.send(STREAM, new Deposit(1L)));
    }
    CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
    for (CompletableFuture<CommandResult> result : sent) {
      if (!result.get().accepted()) {
        throw new IllegalStateException("stream read setup: " + result.get().summary());
      }
    }
    app.queries().awaitVersion(STREAM, events, Duration.ofMinutes(1));
  }

  /** Times {@code reads} reads of the appended stream (after a warm-up), checking each. */
  static Outcome measure(AggregateApp<BankAccountState> app, int events, int reads) {
    StreamQueries<BankAccountState> queries = app.queries();
    Histogram read = new Histogram(3);
    Histogram replay = new Histogram(3);
    CpuTime cpu = null;
    for (int i = 0; i < WARM_UP + reads; i++) {
      if (i == WARM_UP) {
        cpu = CpuTime.read();
      }
      long started = System.nanoTime();
      List<StoredEvent> all = queries.events(STREAM);
      long readMicros = (System.nanoTime() - started) / 1_000;
      if (all.size() != events || all.get(events - 1).version() != events) {
        throw new IllegalStateException("stream read returned " + all.size() + " events, expected "
            + events);
      }
      started = System.nanoTime();
      BankAccountState half = queries.stateAt(STREAM, events / 2).orElseThrow().state();
      long replayMicros = (System.nanoTime() - started) / 1_000;
      if (half.getBalanceCents() != events / 2 - 1) {
        throw new IllegalStateException("state at v" + events / 2 + ": balance "
            + half.getBalanceCents());
      }
      if (i >= WARM_UP) {
        read.recordValue(readMicros);
        replay.recordValue(replayMicros);
      }
    }
    return new Outcome(events, read, replay, CpuTime.busySince(cpu));
  }
}
