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

  /** Latencies in microseconds. */
  record Outcome(int events, Histogram read, Histogram replay) {
    static double millis(Histogram histogram, double percentile) {
      return histogram.getValueAtPercentile(percentile) / 1000.0;
    }
  }

  private static final int WARM_UP = 50;

  private StreamReadLoad() {}

  static Outcome measure(AggregateApp<BankAccountState> app, CommandGateway gateway, int events,
      int reads) throws Exception {
    String stream = "bench-stream-read";
    List<CompletableFuture<CommandResult>> sent = new ArrayList<>();
    sent.add(gateway.send(stream, new OpenAccount("bench")));
    for (int i = 1; i < events; i++) {
      sent.add(gateway.send(stream, new Deposit(1L)));
    }
    CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
    for (CompletableFuture<CommandResult> result : sent) {
      if (!result.get().accepted()) {
        throw new IllegalStateException("stream read setup: " + result.get().summary());
      }
    }
    StreamQueries<BankAccountState> queries = app.queries();
    queries.awaitVersion(stream, events, Duration.ofMinutes(1));
    Histogram read = new Histogram(3);
    Histogram replay = new Histogram(3);
    for (int i = 0; i < WARM_UP + reads; i++) {
      long started = System.nanoTime();
      List<StoredEvent> all = queries.events(stream);
      long readMicros = (System.nanoTime() - started) / 1_000;
      if (all.size() != events || all.get(events - 1).version() != events) {
        throw new IllegalStateException("stream read returned " + all.size() + " events, expected "
            + events);
      }
      started = System.nanoTime();
      BankAccountState half = queries.stateAt(stream, events / 2).orElseThrow().state();
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
    return new Outcome(events, read, replay);
  }
}
