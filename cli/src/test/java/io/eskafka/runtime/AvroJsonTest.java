package io.eskafka.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.eskafka.client.CommandRequest;
import io.eskafka.examples.BankApp;
import io.eskafka.examples.bank.commands.Deposit;
import io.eskafka.examples.bank.commands.OpenAccount;
import io.eskafka.examples.bank.state.AccountStatus;
import io.eskafka.examples.bank.state.BankAccountState;
import io.eskafka.kafka.AggregateDefinition;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

class AvroJsonTest {

  private static final AggregateDefinition<?> BANK = new BankApp().deployment().aggregates().get(0);
  private static final CommandJson COMMANDS = new CommandJson(BANK);

  private static final Schema ORDER = new Schema.Parser().parse("""
      {"type": "record", "name": "Order", "fields": [
        {"name": "id", "type": "string"},
        {"name": "lines", "type": {"type": "array", "items": {"type": "record", "name": "Line",
          "fields": [{"name": "sku", "type": "string"}, {"name": "qty", "type": "int"}]}}},
        {"name": "tags", "type": {"type": "map", "values": "long"}, "default": {}},
        {"name": "note", "type": ["null", "string"], "default": null},
        {"name": "price", "type": ["null", "double", "string"], "default": null}
      ]}""");

  @Test
  void plainJsonBecomesTheGeneratedClass() {
    Deposit deposit = AvroJson.toSpecific(json("{\"amountCents\": 10000}"), Deposit.class);
    assertThat(deposit.getAmountCents()).isEqualTo(10000L);
    OpenAccount open = (OpenAccount) COMMANDS.command("OpenAccount", json("{\"owner\": \"Ada\"}"));
    assertThat(open.getOwner()).isEqualTo("Ada");
    assertThat(COMMANDS.command(OpenAccount.class.getName(), json("{\"owner\": \"Ada\"}")))
        .isEqualTo(open);
  }

  @Test
  void defaultsFillMissingFieldsAndEnumsAndUnionsRoundTrip() {
    BankAccountState state = AvroJson.toSpecific(json("{\"status\": \"OPEN\"}"),
        BankAccountState.class);
    assertThat(state).isEqualTo(new BankAccountState(AccountStatus.OPEN, null, 0L));
    BankAccountState full = new BankAccountState(AccountStatus.OPEN, "Ada", 7000L);
    JsonNode back = AvroJson.toJson(full);
    assertThat(back.toString()).isEqualTo(
        "{\"status\":\"OPEN\",\"owner\":\"Ada\",\"balanceCents\":7000}");
    assertThat(AvroJson.toSpecific(back, BankAccountState.class)).isEqualTo(full);
  }

  @Test
  void wrongTypeNamesTheFieldWhatWasExpectedAndWhatCame() {
    assertThatThrownBy(() -> AvroJson.toSpecific(json("{\"amountCents\": \"abc\"}"), Deposit.class))
        .isInstanceOf(JsonFieldException.class)
        .hasMessage("field amountCents: expected long, got \"abc\"");
    assertThatThrownBy(() -> AvroJson.toSpecific(json("{\"amountCents\": 1.5}"), Deposit.class))
        .hasMessage("field amountCents: expected long, got 1.5");
    assertThatThrownBy(() -> AvroJson.toSpecific(json("{\"status\": \"GONE\"}"),
        BankAccountState.class))
        .hasMessage("field status: expected one of [NOT_OPENED, OPEN, CLOSED], got \"GONE\"");
    assertThatThrownBy(() -> AvroJson.toSpecific(json("{\"status\": \"OPEN\", \"owner\": 5}"),
        BankAccountState.class))
        .hasMessage("field owner: expected null or string, got 5");
  }

  @Test
  void missingRequiredAndUnknownFieldsAreNamed() {
    assertThatThrownBy(() -> AvroJson.toSpecific(json("{}"), Deposit.class))
        .hasMessage("field amountCents: missing (required, long)");
    assertThatThrownBy(() -> AvroJson.toSpecific(json("{\"amountCents\": 1, \"amount\": 2}"),
        Deposit.class))
        .hasMessage("field amount: unknown field; Deposit has [amountCents]");
    assertThatThrownBy(() -> AvroJson.toSpecific(json("[1]"), Deposit.class))
        .hasMessage("expected object (Deposit), got [1]");
  }

  @Test
  void nestedPathsInArraysRecordsAndMaps() {
    Object order = AvroJson.fromJson(json("""
        {"id": "o-1", "lines": [{"sku": "a", "qty": 1}, {"sku": "b", "qty": 2}],
         "tags": {"x": 1}, "price": "12.30"}"""), ORDER, "");
    assertThat(((GenericRecord) order).get("price")).isEqualTo("12.30");
    assertThat(AvroJson.toJson(order, ORDER).toString()).isEqualTo("{\"id\":\"o-1\",\"lines\":"
        + "[{\"sku\":\"a\",\"qty\":1},{\"sku\":\"b\",\"qty\":2}],\"tags\":{\"x\":1},\"note\":null,"
        + "\"price\":\"12.30\"}");
    assertThatThrownBy(() -> AvroJson.fromJson(json(
        "{\"id\": \"o-1\", \"lines\": [{\"sku\": \"a\", \"qty\": 1}, {\"sku\": \"b\", \"qty\": 1e20}]}"),
        ORDER, ""))
        .hasMessage("field lines[1].qty: expected int, got 1.0E20");
    assertThatThrownBy(() -> AvroJson.fromJson(json(
        "{\"id\": \"o-1\", \"lines\": [], \"tags\": {\"x\": true}}"), ORDER, ""))
        .hasMessage("field tags.x: expected long, got true");
    assertThatThrownBy(() -> AvroJson.fromJson(json(
        "{\"id\": \"o-1\", \"lines\": [], \"price\": false}"), ORDER, ""))
        .hasMessage("field price: expected null or double or string, got false");
  }

  @Test
  void envelopeCarriesTypeExpectedVersionAndCommandId() {
    CommandRequest request = COMMANDS.request("acc-1", json("""
        {"type": "Deposit", "payload": {"amountCents": 5}, "expectedVersion": 2,
         "commandId": "c-1", "correlationId": "r-1"}"""));
    assertThat(request.command()).isEqualTo(new Deposit(5L));
    assertThat(request.expectedVersion()).isEqualTo(2L);
    assertThat(request.commandId()).isEqualTo("c-1");
    assertThat(request.correlationId()).isEqualTo("r-1");
    assertThat(COMMANDS.request("acc-1", json("{\"type\": \"Deposit\", \"payload\": "
        + "{\"amountCents\": 5}}")).commandId()).isNotBlank();
  }

  @Test
  void envelopeErrorsNameTheField() {
    assertThatThrownBy(() -> COMMANDS.request("acc-1", json("{\"type\": \"Deposit\", "
        + "\"payload\": {\"amountCents\": \"x\"}}")))
        .isInstanceOf(JsonFieldException.class)
        .hasMessage("field payload.amountCents: expected long, got \"x\"");
    assertThatThrownBy(() -> COMMANDS.request("acc-1", json("{\"payload\": {}}")))
        .hasMessage("field type: missing (the command type, one of [OpenAccount, Deposit, "
            + "Withdraw, CloseAccount])");
    assertThatThrownBy(() -> COMMANDS.request("acc-1", json("{\"type\": \"Deposit\"}")))
        .hasMessage("field payload: missing (the command's fields as an object)");
    assertThatThrownBy(() -> COMMANDS.request("acc-1", json("{\"type\": \"Deposit\", "
        + "\"payload\": {\"amountCents\": 1}, \"expectedVersion\": -1}")))
        .hasMessage("field expectedVersion: expected a version >= 0, got -1");
    assertThatThrownBy(() -> COMMANDS.request("acc-1", json("{\"type\": \"Deposit\", "
        + "\"payload\": {\"amountCents\": 1}, \"version\": 1}")))
        .hasMessageStartingWith("field version: unknown field");
    assertThatThrownBy(() -> COMMANDS.request("acc-1", json("{\"type\": \"Transfer\", "
        + "\"payload\": {}}")))
        .isInstanceOf(UnknownNameException.class)
        .hasMessage("unknown command type 'Transfer' for 'bank-account'; known: OpenAccount, "
            + "Deposit, Withdraw, CloseAccount");
    assertThatThrownBy(() -> CommandJson.parse("{\"type\": "))
        .isInstanceOf(JsonFieldException.class)
        .hasMessageStartingWith("malformed JSON: ");
  }

  private static JsonNode json(String text) {
    return CommandJson.parse(text);
  }
}
