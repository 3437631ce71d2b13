package io.eskafka.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eskafka.runtime.Settings;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code eskafka stream read}: a stream's events, state at a past point, or trace. */
@Command(name = "stream", mixinStandardHelpOptions = true,
    description = "Reads one stream through a running app's HTTP API.",
    footer = {"%nExit codes: see 'eskafka stream read --help'."},
    subcommands = {StreamCommand.Read.class})
final class StreamCommand implements Runnable {

  @ParentCommand
  Eskafka root;

  @Override
  public void run() {
    throw new CliException("say which: eskafka stream read <aggregate> <stream-id>",
        ExitCode.USAGE);
  }

  /** {@code stream read <aggregate> <stream-id>}. */
  @Command(name = "read", mixinStandardHelpOptions = true,
      description = {"Prints a stream's events (optionally versions --from..--to), its state at a "
          + "past version or time (--at-version, --at), or its trace: every event with the state "
          + "after it (--trace). Asks a running app (eskafka run) over HTTP; any instance answers "
          + "(it forwards to the instance that owns the stream).",
          "Example: eskafka stream read bank-account acc-1 --trace"},
      footer = {"%nExit codes: 0 ok, 1 error (app not reachable at the URL, unknown aggregate, no "
          + "such stream or version, stream not available right now), 2 usage, 6 no answer in "
          + "time."})
  static final class Read implements Callable<Integer> {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    @ParentCommand
    StreamCommand parent;

    @Mixin
    SettingsOptions settings;

    @Parameters(index = "0", paramLabel = "AGGREGATE", description = "The aggregate (e.g. bank-account).")
    String aggregate;

    @Parameters(index = "1", paramLabel = "STREAM-ID", description = "The stream (e.g. acc-1).")
    String streamId;

    @Option(names = "--from", paramLabel = "N", description = "First version to print (default 1).")
    Long from;

    @Option(names = "--to", paramLabel = "N", description = "Last version to print (default: the last).")
    Long to;

    @Option(names = "--at-version", paramLabel = "N",
        description = "Print the state right after version N instead of the events.")
    Long atVersion;

    @Option(names = "--at", paramLabel = "ISO-8601",
        description = "Print the state as it was at this instant (e.g. 2026-11-26T09:45:52Z).")
    String at;

    @Option(names = "--trace", description = "Print every event with the state after it.")
    boolean trace;

    @Option(names = "--url", paramLabel = "URL",
        description = "The app's HTTP API (http.url; default http://127.0.0.1:8080).")
    String url;

    @Option(names = "--json", description = "Print the API's JSON answer instead of text.")
    boolean printJson;

    @Override
    public Integer call() throws InterruptedException {
      Map<String, String> flags = new LinkedHashMap<>();
      if (url != null) {
        flags.put("http.url", url);
      }
      Settings resolved = settings.resolve(parent.root.environment(), flags);
      URI target = URI.create(resolved.httpUrl() + "/aggregates/" + segment(aggregate)
          + "/streams/" + segment(streamId) + pathAndQuery());
      JsonNode answer = get(target, resolved);
      parent.root.out().print(printJson ? answer.toPrettyString() + "\n" : text(answer));
      return ExitCode.OK;
    }

    /** The route and query for the options given; refuses combinations that mean nothing. */
    private String pathAndQuery() {
      int modes = (trace ? 1 : 0) + (atVersion != null ? 1 : 0) + (at != null ? 1 : 0)
          + (from != null || to != null ? 1 : 0);
      if (modes > 1) {
        throw new CliException("give one of --from/--to, --at-version, --at, --trace",
            ExitCode.USAGE);
      }
      if (trace) {
        return "/trace";
      }
      if (atVersion != null) {
        return "?version=" + positive("--at-version", atVersion);
      }
      if (at != null) {
        try {
          return "?at=" + URLEncoder.encode(Instant.parse(at).toString(), StandardCharsets.UTF_8);
        } catch (DateTimeParseException e) {
          throw new CliException("--at: expected an ISO-8601 instant such as "
              + "2026-11-26T09:45:52Z, got '" + at + "'", ExitCode.USAGE);
        }
      }
      StringJoiner query = new StringJoiner("&", "?", "").setEmptyValue("");
      if (from != null) {
        query.add("from=" + positive("--from", from));
      }
      if (to != null) {
        query.add("to=" + positive("--to", to));
      }
      if (from != null && to != null && to < from) {
        throw new CliException("--to (" + to + ") must be >= --from (" + from + ")",
            ExitCode.USAGE);
      }
      return "/events" + query;
    }

    private static long positive(String option, long value) {
      if (value < 1) {
        throw new CliException(option + " must be >= 1, got " + value, ExitCode.USAGE);
      }
      return value;
    }

    private static String segment(String text) {
      return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static JsonNode get(URI target, Settings settings) throws InterruptedException {
      String app = settings.httpUrl();
      HttpResponse<String> response;
      try {
        HttpClient client = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();
        response = client.send(HttpRequest.newBuilder(target).GET()
            .header("Accept", "application/json")
            // The app may wait query.timeout.ms for the owner; leave it time to say so itself.
            .timeout(settings.queryTimeout().plusSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
      } catch (HttpConnectTimeoutException | ConnectException e) {
        throw new CliException("no eskafka app reachable at " + app + " (is 'eskafka run' "
            + "running? set --url or http.url): " + describe(e), ExitCode.ERROR);
      } catch (HttpTimeoutException e) {
        throw new CliException("no answer from " + app + " within "
            + settings.queryTimeout().plusSeconds(10).toSeconds() + " s", ExitCode.TIMEOUT);
      } catch (IOException e) {
        throw new CliException("cannot read from " + app + ": " + describe(e), ExitCode.ERROR);
      }
      JsonNode body;
      try {
        body = MAPPER.readTree(response.body());
      } catch (JsonProcessingException e) {
        body = null;
      }
      if (response.statusCode() == 200 && body != null && body.isObject()) {
        return body;
      }
      if (body == null || !body.hasNonNull("error")) {
        throw new CliException(app + " answered HTTP " + response.statusCode() + " to " + target
            + " without an eskafka answer (is it an eskafka app?)", ExitCode.ERROR);
      }
      String message = body.get("error").asText();
      throw new CliException(message, response.statusCode() == 504 ? ExitCode.TIMEOUT
          : ExitCode.ERROR);
    }

    // The HTTP client's ConnectException often has no message of its own; its cause says why.
    private static String describe(Throwable e) {
      for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
        if (t.getMessage() != null) {
          return t.getMessage();
        }
      }
      return "connection failed (" + e.getClass().getSimpleName() + ")";
    }

    private static String text(JsonNode answer) {
      if (answer.has("rendered")) {
        return answer.get("rendered").asText();
      }
      StringBuilder out = new StringBuilder();
      String stream = answer.get("streamId").asText();
      if (answer.has("state")) {
        out.append("stream ").append(stream).append(" at v").append(answer.get("version").asLong())
            .append(" (").append(answer.get("updatedAt").asText()).append(")  ")
            .append(answer.get("state")).append('\n');
        return out.toString();
      }
      JsonNode events = answer.get("events");
      out.append("stream ").append(stream).append(": ").append(events.size())
          .append(events.size() == 1 ? " event" : " events").append('\n');
      for (JsonNode event : events) {
        out.append("  v").append(event.get("version").asLong()).append("  ")
            .append(event.get("appendedAt").asText()).append("  ")
            .append(event.get("type").asText()).append("  ").append(event.get("data"))
            .append('\n');
      }
      return out.toString();
    }
  }
}
