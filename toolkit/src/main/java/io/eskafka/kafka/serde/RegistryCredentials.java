package io.eskafka.kafka.serde;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;

/**
 * How {@link HttpSchemaRegistry} authenticates: not at all, HTTP Basic, or a bearer token. Sent
 * as the {@code Authorization} header of every request.
 *
 * <p>Immutable and thread-safe. {@code toString()} never shows a password or token, so options
 * can be logged.
 */
public sealed interface RegistryCredentials {

  /**
   * No {@code Authorization} header.
   *
   * @return the shared instance, never null
   */
  static RegistryCredentials none() {
    return None.INSTANCE;
  }

  /**
   * HTTP Basic authentication (Confluent: {@code basic.auth.user.info}).
   *
   * @param user the user name, not null, must not contain {@code ':'}
   * @param password the password, not null
   * @return the credentials, never null
   */
  static RegistryCredentials basic(String user, String password) {
    return new Basic(user, password);
  }

  /**
   * A bearer token (OAuth access token, API key accepted as bearer), sent as given.
   *
   * @param token the token, not null or blank
   * @return the credentials, never null
   */
  static RegistryCredentials bearer(String token) {
    return new Bearer(token);
  }

  /**
   * Returns the value of the {@code Authorization} header.
   *
   * @return the header value, empty for {@link None}; never null
   */
  Optional<String> authorizationHeader();

  /** No credentials. */
  enum None implements RegistryCredentials {
    /** The only instance. */
    INSTANCE;

    @Override
    public Optional<String> authorizationHeader() {
      return Optional.empty();
    }
  }

  /**
   * HTTP Basic credentials.
   *
   * @param user the user name, not null, must not contain {@code ':'} (Basic cannot carry it)
   * @param password the password, not null
   */
  record Basic(String user, String password) implements RegistryCredentials {

    /**
     * Validates the components.
     *
     * @throws NullPointerException if {@code user} or {@code password} is null
     * @throws IllegalArgumentException if {@code user} contains {@code ':'}
     */
    public Basic {
      Objects.requireNonNull(user, "user");
      Objects.requireNonNull(password, "password");
      if (user.indexOf(':') >= 0) {
        throw new IllegalArgumentException("a Basic user name cannot contain ':'");
      }
    }

    @Override
    public Optional<String> authorizationHeader() {
      byte[] pair = (user + ":" + password).getBytes(StandardCharsets.UTF_8);
      return Optional.of("Basic " + Base64.getEncoder().encodeToString(pair));
    }

    @Override
    public String toString() {
      return "Basic[user=" + user + ", password=***]";
    }
  }

  /**
   * A bearer token.
   *
   * @param token the token, not null or blank
   */
  record Bearer(String token) implements RegistryCredentials {

    /**
     * Validates the token.
     *
     * @throws NullPointerException if {@code token} is null
     * @throws IllegalArgumentException if {@code token} is blank
     */
    public Bearer {
      Objects.requireNonNull(token, "token");
      if (token.isBlank()) {
        throw new IllegalArgumentException("token must not be blank");
      }
    }

    @Override
    public Optional<String> authorizationHeader() {
      return Optional.of("Bearer " + token);
    }

    @Override
    public String toString() {
      return "Bearer[token=***]";
    }
  }
}
