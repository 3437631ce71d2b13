package io.eskafka.runtime;

import io.eskafka.kafka.serde.SchemaRegistry;
import io.eskafka.kafka.serde.SchemaRegistryException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.KafkaException;

/**
 * Fails fast, in one line, when what an application needs is not there: Kafka clients would
 * otherwise retry quietly for minutes. Stateless.
 */
public final class StartupChecks {

  private StartupChecks() {}

  /**
   * Checks that the Kafka cluster answers.
   *
   * @param settings bootstrap servers, raw Kafka settings, start-up timeout
   * @return the number of brokers that answered
   * @throws StartupException when it does not answer within the start-up timeout
   */
  public static int kafka(Settings settings) {
    Duration timeout = settings.startupTimeout();
    Map<String, Object> config = settings.adminConfig();
    int millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
    config.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, millis);
    config.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, millis);
    try (Admin admin = Admin.create(config)) {
      return admin.describeCluster().nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS).size();
    } catch (TimeoutException e) {
      throw new StartupException("Kafka at " + settings.bootstrapServers()
          + " is not reachable: no answer within " + seconds(timeout), e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
        throw new StartupException("Kafka at " + settings.bootstrapServers()
            + " is not reachable: no answer within " + seconds(timeout), e.getCause());
      }
      throw new StartupException("Kafka at " + settings.bootstrapServers() + " is not reachable: "
          + e.getCause().getMessage(), e.getCause());
    } catch (KafkaException e) {
      throw new StartupException("Kafka at " + settings.bootstrapServers() + " is not usable: "
          + e.getMessage() + (e.getCause() == null ? "" : " (" + e.getCause().getMessage() + ")"), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StartupException("interrupted while contacting Kafka", e);
    }
  }

  /**
   * Checks that the schema registry answers.
   *
   * @param registry the client
   * @param url its URL, for the message
   * @throws StartupException when it does not answer (after the client's retries)
   */
  public static void registry(SchemaRegistry registry, String url) {
    try {
      registry.subjects();
    } catch (SchemaRegistryException e) {
      throw new StartupException("schema registry at " + url + " is not reachable: "
          + e.getMessage(), e);
    }
  }

  private static String seconds(Duration duration) {
    return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + " s" : duration.toMillis() + " ms";
  }
}
