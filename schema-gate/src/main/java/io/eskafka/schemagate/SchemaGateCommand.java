package io.eskafka.schemagate;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Command-line entry point of the gate, run by the {@code schemas} module's build (exec-maven-plugin
 * {@code java} goal, inside Maven's JVM):
 *
 * <pre>
 * SchemaGateCommand --current schemas/src/main/avro --history schemas/history \
 *     --rules schemas/compatibility.properties
 * </pre>
 *
 * <p>Prints one line per subject. Fails by throwing {@link SchemaGateException} rather than calling
 * {@code System.exit}, because it runs inside Maven's JVM; the exception's message names each
 * subject, the versions and Avro's reason, and Maven prints it as the build failure.
 *
 * <p>Not for concurrent use of {@link #main}; {@link #run} is stateless.
 */
public final class SchemaGateCommand {

  private static final String USAGE =
      "usage: SchemaGateCommand --current <dir> --history <dir> --rules <compatibility.properties>";

  private SchemaGateCommand() {}

  /**
   * Runs the gate and prints the per-subject report to standard output.
   *
   * @param args {@code --current <dir> --history <dir> --rules <file>}, never {@code null}
   * @throws SchemaGateException when the gate fails, with the violations as its message
   * @throws IllegalArgumentException on bad arguments or a bad rules file
   * @throws IOException when the rules file cannot be read
   */
  public static void main(String[] args) throws IOException {
    Map<String, String> options = options(args);
    GateReport report = run(Path.of(options.get("--current")), Path.of(options.get("--history")),
        Path.of(options.get("--rules")));
    print(report, System.out);
    if (!report.passed()) {
      throw new SchemaGateException(report);
    }
  }

  /**
   * Loads the rules and the catalog and checks it.
   *
   * @param currentDir the current schemas, never {@code null}
   * @param historyDir the released versions, never {@code null}; may not exist yet
   * @param rulesFile the compatibility rules, never {@code null}
   * @return the report, never {@code null}
   * @throws IOException when the rules file cannot be read
   */
  public static GateReport run(Path currentDir, Path historyDir, Path rulesFile) throws IOException {
    CompatibilityRules rules = CompatibilityRules.load(rulesFile);
    return new SchemaGate(rules).check(SchemaCatalog.load(currentDir, historyDir));
  }

  /**
   * Prints the outcome, prefixed so it is recognisable in a build log: one summary line when every
   * subject passed (a passing gate should not crowd the build output), one line per subject when
   * something failed.
   *
   * @param report the report, never {@code null}
   * @param out where to print, never {@code null}
   */
  public static void print(GateReport report, PrintStream out) {
    if (report.passed()) {
      out.println("schema-gate: " + report.subjectLines().size()
          + " schemas compatible with every released version");
      return;
    }
    for (String line : report.subjectLines()) {
      out.println("schema-gate: " + line);
    }
  }

  private static Map<String, String> options(String[] args) {
    Map<String, String> options = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      String name = args[i];
      if (!name.equals("--current") && !name.equals("--history") && !name.equals("--rules")) {
        throw new IllegalArgumentException("unknown argument '" + name + "'; " + USAGE);
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(name + " needs a value; " + USAGE);
      }
      options.put(name, args[++i]);
    }
    for (String required : new String[] {"--current", "--history", "--rules"}) {
      if (!options.containsKey(required)) {
        throw new IllegalArgumentException(required + " is missing; " + USAGE);
      }
    }
    return options;
  }
}
