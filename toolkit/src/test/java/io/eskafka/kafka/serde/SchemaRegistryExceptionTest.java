package io.eskafka.kafka.serde;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import org.junit.jupiter.api.Test;

class SchemaRegistryExceptionTest {

  @Test
  void outagesAreRetriableAnswersAreNot() {
    assertThat(new SchemaRegistryException("down", new ConnectException("refused")).isRetriable())
        .isTrue();
    assertThat(new SchemaRegistryException("5xx", null, false, 503, java.util.OptionalInt.empty(), "unavailable").isRetriable())
        .isTrue();
    assertThat(new SchemaRegistryException("slow down", null, false, 429, java.util.OptionalInt.empty(), null).isRetriable())
        .isTrue();
    assertThat(new SchemaRegistryException("refused", null, false, 409, java.util.OptionalInt.of(409), "incompatible")
        .isRetriable()).isFalse();
    assertThat(SchemaRegistryException.notFound("unknown schema id 7").isRetriable()).isFalse();
    assertThat(new SchemaRegistryException("bad answer").isRetriable()).isFalse();
  }
}
