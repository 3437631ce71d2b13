package io.eskafka.kafka.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Backoff arithmetic and validation (the registry client and projection retries share it). */
class RetryPolicyTest {

  @Test
  void backoffDoublesUpToTheMaximum() {
    RetryPolicy policy = new RetryPolicy(10, Duration.ofMillis(100), Duration.ofMillis(500));
    assertThat(policy.backoffBefore(1)).isEqualTo(Duration.ofMillis(100));
    assertThat(policy.backoffBefore(2)).isEqualTo(Duration.ofMillis(200));
    assertThat(policy.backoffBefore(3)).isEqualTo(Duration.ofMillis(400));
    assertThat(policy.backoffBefore(4)).isEqualTo(Duration.ofMillis(500));
    assertThat(policy.backoffBefore(60)).isEqualTo(Duration.ofMillis(500));
  }

  @Test
  void badSettingsAreRefusedNamingTheField() {
    assertThatThrownBy(() -> new RetryPolicy(0, Duration.ofMillis(1), Duration.ofMillis(1)))
        .hasMessageContaining("maxAttempts");
    assertThatThrownBy(() -> new RetryPolicy(2, Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .hasMessageContaining("maxBackoff");
    assertThatThrownBy(() -> io.eskafka.kafka.ProjectionOptions.of("x")
        .withProgressInterval(Duration.ZERO)).hasMessageContaining("progressInterval");
  }
}
