package io.eskafka.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.eskafka.kafka.TopicApplier;
import io.eskafka.testing.DevSchemaRegistry;
import io.eskafka.testing.EmbeddedKafka;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The command line in-process: help, exit codes, and errors that name their cause. */
class EskafkaCliTest {

  private record Run(int exitCode, String out, String err) {}

  private static Run eskafka(Map<String, String> env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = new Eskafka(env, new PrintWriter(out, true), new PrintWriter(err, true))
        .execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  private static Run eskafka(String... args) {
    return eskafka(Map.of(), args);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "dev", "run", "topics", "topics apply", "topics describe", "schemas",
      "schemas check", "schemas register", "send", "stream", "stream read", "projection",
      "projection list", "projection status", "projection reset"})
  void everyCommandHasHelp(String command) {
    List<String> args = new java.util.ArrayList<>(command.isEmpty() ? List.of()
        : List.of(command.split(" ")));
    args.add("--help");
    Run run = eskafka(args.toArray(String[]::new));
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).startsWith("Usage: eskafka" + (command.isEmpty() ? "" : " " + command))
        .contains("Exit codes");
  }

  @Test
  void usageErrorsExitWithTwo() {
    Run missing = eskafka("send", "bank-account");
    assertThat(missing.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(missing.err()).contains("Missing required parameters: 'STREAM-ID', 'JSON'");
    assertThat(eskafka("deploy").exitCode()).isEqualTo(ExitCode.USAGE);
  }

  @Test
  void unknownAggregateListsTheKnownOnes() {
    Run run = eskafka("send", "cart", "c-1", "{}");
    assertThat(run.exitCode()).isEqualTo(ExitCode.ERROR);
    assertThat(run.err().strip())
        .isEqualTo("eskafka: unknown aggregate 'cart'; known: bank-account (app bank)");
  }

  @Test
  void unknownAppListsTheInstalledOnes() {
    Run run = eskafka("run", "shop");
    assertThat(run.exitCode()).isEqualTo(ExitCode.ERROR);
    assertThat(run.err()).startsWith("eskafka: unknown app 'shop'; installed: [bank]");
  }

  @Test
  void invalidJsonNamesTheFieldBeforeAnyNetworkCall() {
    Run run = eskafka("send", "bank-account", "acc-1", "{\"amountCents\": \"abc\"}",
        "--command-type", "Deposit", "-b", "127.0.0.1:1");
    assertThat(run.exitCode()).isEqualTo(ExitCode.ERROR);
    assertThat(run.err().strip())
        .isEqualTo("eskafka: invalid command JSON: field amountCents: expected long, got \"abc\"");
    Run envelope = eskafka("send", "bank-account", "acc-1", "{\"type\": \"Pay\", \"payload\": {}}");
    assertThat(envelope.err().strip()).isEqualTo("eskafka: unknown command type 'Pay' for "
        + "'bank-account'; known: OpenAccount, Deposit, Withdraw, CloseAccount");
  }

  @Test
  void badSettingNamesKeyValueAndSource() {
    Run run = eskafka(Map.of("ESKAFKA_THREADS", "zero"), "run", "bank");
    assertThat(run.exitCode()).isEqualTo(ExitCode.ERROR);
    assertThat(run.err().strip()).isEqualTo("eskafka: threads: expected an integer from 1 to 64, "
        + "got 'zero' (from environment variable ESKAFKA_THREADS)");
  }

  @Test
  void runFailsInOneLineWhenKafkaIsUnreachable() throws IOException {
    int closedPort = closedPort();
    Run run = eskafka(Map.of("ESKAFKA_STARTUP_TIMEOUT_MS", "1500"), "run", "bank",
        "--bootstrap-servers", "127.0.0.1:" + closedPort);
    assertThat(run.exitCode()).isEqualTo(ExitCode.ERROR);
    assertThat(run.err().strip()).isEqualTo("eskafka: cannot start bank: Kafka at 127.0.0.1:"
        + closedPort + " is not reachable: no answer within 1500 ms");
    Run send = eskafka(Map.of("ESKAFKA_STARTUP_TIMEOUT_MS", "1000"), "send", "bank-account",
        "acc-1", "{\"amountCents\": 1}", "-t", "Deposit", "-b", "127.0.0.1:" + closedPort);
    assertThat(send.exitCode()).isEqualTo(ExitCode.ERROR);
    assertThat(send.err().strip()).isEqualTo("eskafka: Kafka at 127.0.0.1:" + closedPort
        + " is not reachable: no answer within 1 s");
  }

  @Test
  void runFailsInOneLineWhenTheRegistryIsUnreachable() throws IOException {
    int closedPort = closedPort();
    Run run = eskafka("run", "bank", "-b", EmbeddedKafka.shared().bootstrapServers(),
        "--registry-url", "http://127.0.0.1:" + closedPort + "/apis/ccompat/v7");
    assertThat(run.exitCode()).isEqualTo(ExitCode.ERROR);
    assertThat(run.err().strip()).startsWith("eskafka: cannot start bank: schema registry at "
        + "http://127.0.0.1:" + closedPort + "/apis/ccompat/v7 is not reachable: ")
        .doesNotContain("\n");
  }

  @Test
  void runAndTopicsRefuseTopicsThatDoNotMatch() {
    String bootstrap = EmbeddedKafka.shared().bootstrapServers();
    try (TopicApplier applier = new TopicApplier(bootstrap)) {
      applier.apply(new MismatchApp().deployment().aggregates().get(0).topics().specs(2, (short) 1));
    }
    Run run = eskafka("run", MismatchApp.class.getName(), "-b", bootstrap,
        "--registry-url", DevSchemaRegistry.shared().url(), "--set", "topics.partitions=3");
    assertThat(run.exitCode()).isEqualTo(ExitCode.ERROR);
    assertThat(run.err().strip()).startsWith("eskafka: cannot start mismatch: topics do not match: ")
        .contains("topic mismatch-account.commands has 2 partitions, expected 3")
        .doesNotContain("\n");

    Run describe = eskafka("topics", "describe", MismatchApp.class.getName(), "-b", bootstrap,
        "-s", "topics.partitions=2");
    assertThat(describe.exitCode()).as(describe.err()).isZero();
    assertThat(describe.out()).containsPattern("mismatch-account.events +2 +1 +compact +-1 +yes");
    Run differs = eskafka("topics", "describe", MismatchApp.class.getName(), "-b", bootstrap);
    assertThat(differs.exitCode()).isEqualTo(ExitCode.ERROR);
    assertThat(differs.out()).contains("NO: [partitions 2 (spec 6)]");
    Run apply = eskafka("topics", "apply", MismatchApp.class.getName(), "-b", bootstrap,
        "-s", "topics.partitions=2");
    assertThat(apply.exitCode()).isZero();
    assertThat(apply.out()).contains("mismatch-account.dlq").contains("exists, matches");
  }

  @Test
  void sendWithoutARunningAppTimesOutWithItsOwnExitCode() {
    String bootstrap = EmbeddedKafka.shared().bootstrapServers();
    try (TopicApplier applier = new TopicApplier(bootstrap)) {
      // As RunLifecycleIT creates them (2 partitions), whichever test runs first.
      applier.apply(new io.eskafka.examples.BankApp().deployment().aggregates().get(0).topics()
          .specs(2, (short) 1));
    }
    Run run = eskafka(Map.of("ESKAFKA_COMMAND_TIMEOUT_MS", "1500"), "send", "bank-account",
        "nobody-listens", "{\"owner\": \"Ada\"}", "-t", "OpenAccount", "--command-id", "c-42",
        "-b", bootstrap, "--registry-url", DevSchemaRegistry.shared().url());
    assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCode.TIMEOUT);
    assertThat(run.err().strip()).isEqualTo("eskafka: no result within 1500 ms for command c-42 (is "
        + "'eskafka run' running the app of bank-account?)");
  }

  @Test
  void streamReadNamesAnUnreachableAppAndRefusesMeaninglessOptions() throws IOException {
    int closedPort = closedPort();
    Run run = eskafka("stream", "read", "bank-account", "acc-1", "--url",
        "http://127.0.0.1:" + closedPort);
    assertThat(run.exitCode()).isEqualTo(ExitCode.ERROR);
    assertThat(run.err().strip()).startsWith("eskafka: no eskafka app reachable at http://127.0.0.1:"
        + closedPort + " (is 'eskafka run' running? set --url or http.url)").doesNotContain("\n");
    Run fromEnv = eskafka(Map.of("ESKAFKA_HTTP_URL", "http://127.0.0.1:" + closedPort), "stream",
        "read", "bank-account", "acc-1");
    assertThat(fromEnv.err()).contains("no eskafka app reachable at http://127.0.0.1:" + closedPort);

    Run both = eskafka("stream", "read", "bank-account", "acc-1", "--trace", "--at-version", "2");
    assertThat(both.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(both.err().strip())
        .isEqualTo("eskafka: give one of --from/--to, --at-version, --at, --trace");
    Run badAt = eskafka("stream", "read", "bank-account", "acc-1", "--at", "yesterday");
    assertThat(badAt.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(badAt.err().strip()).isEqualTo("eskafka: --at: expected an ISO-8601 instant such "
        + "as 2026-11-26T09:45:52Z, got 'yesterday'");
    Run badUrl = eskafka("stream", "read", "bank-account", "acc-1", "--url", "localhost:8080");
    assertThat(badUrl.exitCode()).isEqualTo(ExitCode.ERROR);
    assertThat(badUrl.err().strip()).isEqualTo("eskafka: http.url: expected an http(s)://host[:port]"
        + " URL, got 'localhost:8080' (from command line)");
    Run missing = eskafka("stream");
    assertThat(missing.exitCode()).isEqualTo(ExitCode.USAGE);
  }

  @Test
  void schemasRegisterThenCheckReportsEverySubjectRegistered() {
    String registry = DevSchemaRegistry.shared().url();
    // An application id of its own: the snapshot subjects are named after it.
    String[] settings = {"--registry-url", registry, "--set", "application.id=schemas-cli-test"};

    Run register = eskafka(concat(new String[] {"schemas", "register", "bank"}, settings));
    assertThat(register.exitCode()).as(register.err()).isZero();
    assertThat(register.out()).contains(
        "schemas-cli-test.bank-account-bank-account.snapshots-changelog-"
            + "io.eskafka.internal.avro.Snapshot: registered id");

    Run check = eskafka(concat(new String[] {"schemas", "check", "bank"}, settings));
    assertThat(check.exitCode()).as(check.err()).isZero();
    assertThat(check.out().lines()).hasSize(11).allSatisfy(line ->
        assertThat(line).contains(": REGISTERED id "));
  }

  @Test
  void schemasCheckFailsInOneLineWhenTheRegistryIsUnreachable() throws IOException {
    Run run = eskafka("schemas", "check", "bank", "--registry-url",
        "http://127.0.0.1:" + closedPort() + "/apis/ccompat/v7");
    assertThat(run.exitCode()).isEqualTo(ExitCode.ERROR);
    assertThat(run.err().strip()).startsWith("eskafka: schema registry at http://127.0.0.1:")
        .contains("is not reachable").doesNotContain("\n");
  }

  private static String[] concat(String[] first, String[] second) {
    String[] all = java.util.Arrays.copyOf(first, first.length + second.length);
    System.arraycopy(second, 0, all, first.length, second.length);
    return all;
  }

  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return socket.getLocalPort(); // closed again when the test uses it
    }
  }
}
