package io.eskafka.schemagate;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/**
 * The fixture layouts under {@code src/test/resources/fixtures/<name>/}: each has {@code current/},
 * usually {@code history/}, and {@code compatibility.properties}, like {@code schemas/}.
 */
final class Fixtures {

  private Fixtures() {}

  /** The fixture's root directory. */
  static Path root(String name) {
    URL url = Fixtures.class.getResource("/fixtures/" + name);
    if (url == null) {
      throw new IllegalArgumentException("no fixture " + name);
    }
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The fixture's catalog. */
  static SchemaCatalog catalog(String name) {
    return SchemaCatalog.load(root(name).resolve("current"), root(name).resolve("history"));
  }

  /** Runs the gate on the fixture with its own rules. */
  static GateReport check(String name) throws IOException {
    Path root = root(name);
    return SchemaGateCommand.run(root.resolve("current"), root.resolve("history"),
        root.resolve("compatibility.properties"));
  }
}
