package io.eskafka.kafka;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Makes a cluster's topics match a list of {@link TopicSpec}s: creates the missing ones and checks
 * the existing ones, refusing with a {@link TopicMismatchException} when an existing topic has a
 * different partition count or cleanup policy, or finite retention where infinite is required.
 *
 * <p>Idempotent: applying the same specs twice creates nothing the second time. Safe against
 * another process creating the same topics concurrently. It never alters an existing topic: a
 * wrong cleanup policy or partition count is a decision for an operator, not for a start-up
 * routine. Other configs (e.g. a finite retention) of existing topics are left as they are, since
 * operators legitimately tune them; the replication factor is not checked either.
 *
 * <p>Thread-safety: {@link #apply(List)} may be called from several threads (the {@link Admin}
 * client is thread-safe).
 */
public final class TopicApplier implements AutoCloseable {

  private static final long VISIBILITY_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);
  private static final long VISIBILITY_POLL_MS = 50;

  private final Admin admin;
  private final boolean ownsAdmin;

  /**
   * Which topics one {@link TopicApplier#apply(List)} call created and which already existed with
   * a matching shape.
   *
   * @param created names of the topics created by this call, in spec order; unmodifiable
   * @param existing names of the topics that already existed and match, in spec order;
   *     unmodifiable
   */
  public record Result(List<String> created, List<String> existing) {

    /** Copies the lists; neither may be {@code null}. */
    public Result {
      created = List.copyOf(created);
      existing = List.copyOf(existing);
    }
  }

  /**
   * Uses the given Admin client, which the caller keeps and closes; {@link #close()} does not.
   *
   * @param admin a client connected to the cluster, not {@code null}
   */
  public TopicApplier(Admin admin) {
    this(Objects.requireNonNull(admin, "admin"), false);
  }

  /**
   * Creates its own Admin client for the given cluster; {@link #close()} closes it.
   *
   * @param bootstrapServers the cluster's {@code bootstrap.servers}, not {@code null}
   */
  public TopicApplier(String bootstrapServers) {
    this(
        Map.of(
            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
            Objects.requireNonNull(bootstrapServers, "bootstrapServers")));
  }

  /**
   * Creates its own Admin client from the given client configs (bootstrap servers, security
   * settings, …); {@link #close()} closes it.
   *
   * @param adminConfig Admin client configs, not {@code null}
   */
  public TopicApplier(Map<String, Object> adminConfig) {
    this(Admin.create(Objects.requireNonNull(adminConfig, "adminConfig")), true);
  }

  private TopicApplier(Admin admin, boolean ownsAdmin) {
    this.admin = admin;
    this.ownsAdmin = ownsAdmin;
  }

  /**
   * Creates the topics that do not exist and checks the ones that do.
   *
   * <p>All existing topics are checked before anything is created, so a mismatch leaves the
   * cluster as it was. Blocks until the cluster has answered (bounded by the Admin client's {@code
   * default.api.timeout.ms}), and then until every partition of the topics it created has a
   * leader in the metadata the cluster serves (at most 10 s): a producer that writes to a
   * partition whose leader does not know it yet gets {@code NOT_LEADER_OR_FOLLOWER}, and an
   * idempotent one retrying that first batch was seen to stall on out-of-order sequence errors
   * until its delivery timeout.
   *
   * @param specs the desired topics, not {@code null}; names must be unique
   * @return which topics were created and which already existed, never {@code null}
   * @throws TopicMismatchException if an existing topic differs from its spec; nothing was created
   * @throws IllegalArgumentException if two specs have the same name
   * @throws KafkaException if the cluster could not be asked or refused a request (e.g. not
   *     authorized, replication factor larger than the number of brokers)
   * @throws InterruptException if the calling thread is interrupted while waiting
   */
  public Result apply(List<TopicSpec> specs) {
    Objects.requireNonNull(specs, "specs");
    Map<String, TopicSpec> byName = new LinkedHashMap<>();
    for (TopicSpec spec : specs) {
      if (byName.put(spec.name(), spec) != null) {
        throw new IllegalArgumentException("topic " + spec.name() + " is specified twice");
      }
    }
    if (byName.isEmpty()) {
      return new Result(List.of(), List.of());
    }

    Set<String> existing = existingTopics(byName.keySet());
    List<String> differences = new ArrayList<>();
    for (String name : existing) {
      differences.addAll(check(byName.get(name)));
    }
    if (!differences.isEmpty()) {
      throw new TopicMismatchException(differences);
    }

    List<NewTopic> toCreate =
        byName.values().stream()
            .filter(spec -> !existing.contains(spec.name()))
            .map(
                spec ->
                    new NewTopic(spec.name(), spec.partitions(), spec.replicationFactor())
                        .configs(spec.configs()))
            .toList();
    Set<String> created = new HashSet<>();
    Set<String> createdByOthers = new HashSet<>();
    if (!toCreate.isEmpty()) {
      Map<String, ? extends Future<Void>> results = admin.createTopics(toCreate).values();
      for (Map.Entry<String, ? extends Future<Void>> e : results.entrySet()) {
        try {
          await(e.getValue(), "create topic " + e.getKey());
          created.add(e.getKey());
        } catch (KafkaException ex) {
          if (!(ex.getCause() instanceof TopicExistsException)) {
            throw ex;
          }
          // Someone else created it between our describe and our create: check theirs like any
          // other existing topic.
          createdByOthers.add(e.getKey());
        }
      }
    }
    awaitLeaders(created);
    for (String name : createdByOthers) {
      differences.addAll(checkOnceVisible(byName.get(name)));
    }
    if (!differences.isEmpty()) {
      throw new TopicMismatchException(differences);
    }

    List<String> createdInOrder = new ArrayList<>();
    List<String> existingInOrder = new ArrayList<>();
    for (String name : byName.keySet()) {
      (created.contains(name) ? createdInOrder : existingInOrder).add(name);
    }
    return new Result(createdInOrder, existingInOrder);
  }

  private Set<String> existingTopics(Set<String> names) {
    Set<String> existing = new HashSet<>();
    Map<String, ? extends Future<TopicDescription>> descriptions =
        admin.describeTopics(names).topicNameValues();
    for (Map.Entry<String, ? extends Future<TopicDescription>> e : descriptions.entrySet()) {
      try {
        await(e.getValue(), "describe topic " + e.getKey());
        existing.add(e.getKey());
      } catch (KafkaException ex) {
        if (!(ex.getCause() instanceof UnknownTopicOrPartitionException)) {
          throw ex;
        }
      }
    }
    return existing;
  }

  /**
   * Like {@link #check} for a topic that the controller knows but that this broker's metadata may
   * not show yet (it was created a moment ago by someone else).
   */
  private List<String> checkOnceVisible(TopicSpec spec) {
    long deadline = System.nanoTime() + VISIBILITY_TIMEOUT_NANOS;
    while (true) {
      try {
        return check(spec);
      } catch (KafkaException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException)
            || System.nanoTime() > deadline) {
          throw e;
        }
      }
      pause();
    }
  }

  /**
   * Waits until every partition of {@code topics} (just created) has a leader.
   *
   * @throws KafkaException if some still have none after the visibility timeout
   */
  private void awaitLeaders(Set<String> topics) {
    if (topics.isEmpty()) {
      return;
    }
    long deadline = System.nanoTime() + VISIBILITY_TIMEOUT_NANOS;
    while (true) {
      List<String> leaderless = new ArrayList<>();
      Map<String, ? extends Future<TopicDescription>> descriptions =
          admin.describeTopics(topics).topicNameValues();
      for (Map.Entry<String, ? extends Future<TopicDescription>> e : descriptions.entrySet()) {
        try {
          await(e.getValue(), "describe topic " + e.getKey()).partitions().stream()
              .filter(partition -> partition.leader() == null || partition.leader().isEmpty())
              .forEach(partition -> leaderless.add(e.getKey() + "-" + partition.partition()));
        } catch (KafkaException ex) {
          if (!(ex.getCause() instanceof UnknownTopicOrPartitionException)) {
            throw ex;
          }
          leaderless.add(e.getKey()); // created, not in this broker's metadata yet
        }
      }
      if (leaderless.isEmpty()) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new KafkaException("created topics but these have no leader after "
            + TimeUnit.NANOSECONDS.toSeconds(VISIBILITY_TIMEOUT_NANOS) + " s: " + leaderless);
      }
      pause();
    }
  }

  private static void pause() {
    try {
      Thread.sleep(VISIBILITY_POLL_MS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptException(e);
    }
  }

  /** The differences between an existing topic and its spec, one sentence each. */
  private List<String> check(TopicSpec spec) {
    String name = spec.name();
    List<String> differences = new ArrayList<>();

    TopicDescription description =
        await(admin.describeTopics(List.of(name)).topicNameValues().get(name), "describe topic " + name);
    int partitions = description.partitions().size();
    if (partitions != spec.partitions()) {
      differences.add(
          "topic " + name + " has " + partitions + " partitions, expected " + spec.partitions());
    }

    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, name);
    Config config =
        await(
            admin.describeConfigs(List.of(resource)).values().get(resource),
            "describe configs of topic " + name);

    String expectedPolicy = spec.configs().get(TopicConfig.CLEANUP_POLICY_CONFIG);
    if (expectedPolicy != null) {
      String actualPolicy = value(config, TopicConfig.CLEANUP_POLICY_CONFIG);
      // "compact,delete" and "delete,compact" are the same policy.
      if (!policies(expectedPolicy).equals(policies(actualPolicy))) {
        differences.add(
            "topic "
                + name
                + " exists with cleanup.policy="
                + actualPolicy
                + ", expected "
                + expectedPolicy);
      }
    }

    // Infinite retention is a promise not to lose data (events); any finite value breaks it.
    // Finite retentions of other topics are operators' tuning and are not enforced.
    String expectedRetention = spec.configs().get(TopicConfig.RETENTION_MS_CONFIG);
    if ("-1".equals(expectedRetention)) {
      String actualRetention = value(config, TopicConfig.RETENTION_MS_CONFIG);
      if (!"-1".equals(actualRetention)) {
        differences.add(
            "topic " + name + " exists with retention.ms=" + actualRetention + ", expected -1");
      }
    }
    return differences;
  }

  private static String value(Config config, String key) {
    ConfigEntry entry = config.get(key);
    return entry == null ? null : entry.value();
  }

  private static Set<String> policies(String policy) {
    if (policy == null) {
      return Set.of();
    }
    return Arrays.stream(policy.split(","))
        .map(p -> p.trim().toLowerCase(Locale.ROOT))
        .filter(p -> !p.isEmpty())
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private static <T> T await(Future<T> future, String what) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptException(e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new KafkaException("could not " + what + ": " + cause.getMessage(), cause);
    }
  }

  /** Closes the Admin client if this applier created it; otherwise does nothing. Idempotent. */
  @Override
  public void close() {
    if (ownsAdmin) {
      admin.close();
    }
  }
}
