package io.eskafka.schemagate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * Every subject found in a current-schema directory and a history directory, with the layout
 * problems found while reading them.
 *
 * <p>Layout: current schemas are any {@code *.avsc} below the current directory (one named
 * top-level type per file, self-contained); released versions are
 * {@code <history>/<record full name>/v<N>.avsc}, {@code N} counting from 1 without gaps or leading
 * zeros. A subject that only has a current schema has never been released, which is fine; one
 * that only has history is retired, which is fine too (its data stays readable through the
 * registry's writer schemas and upcasters).
 *
 * <p>Immutable; safe to share between threads. Loading reads files and is not synchronised.
 *
 * @param subjects every subject, sorted by full name; never {@code null}; copied
 * @param problems layout problems (gaps, misplaced or unreadable files); never {@code null}; copied
 */
public record SchemaCatalog(List<SubjectVersions> subjects, List<Violation> problems) {

  private static final Pattern HISTORY_FILE = Pattern.compile("v([1-9][0-9]*)\\.avsc");

  /** Copies the parts. */
  public SchemaCatalog {
    subjects = List.copyOf(subjects);
    problems = List.copyOf(problems);
  }

  /**
   * Reads the current schemas and the history.
   *
   * @param currentDir the directory code is generated from, e.g. {@code schemas/src/main/avro};
   *     never {@code null}; must exist
   * @param historyDir the released versions, e.g. {@code schemas/history}; never {@code null}; a
   *     missing directory means nothing was released yet
   * @return the catalog; unreadable or misplaced files become {@link #problems()}, not exceptions
   * @throws UncheckedIOException when a directory cannot be listed
   */
  public static SchemaCatalog load(Path currentDir, Path historyDir) {
    Objects.requireNonNull(currentDir, "currentDir");
    Objects.requireNonNull(historyDir, "historyDir");
    List<Violation> problems = new ArrayList<>();
    Map<String, SchemaVersion> current = readCurrent(currentDir, problems);
    Map<String, List<SchemaVersion>> history = readHistory(historyDir, problems);

    TreeMap<String, SubjectVersions> subjects = new TreeMap<>();
    for (String name : union(current.keySet(), history.keySet())) {
      subjects.put(name, new SubjectVersions(name, history.getOrDefault(name, List.of()), current.get(name)));
    }
    return new SchemaCatalog(new ArrayList<>(subjects.values()), problems);
  }

  private static Map<String, SchemaVersion> readCurrent(Path dir, List<Violation> problems) {
    Map<String, SchemaVersion> bySubject = new TreeMap<>();
    if (!Files.isDirectory(dir)) {
      problems.add(new Violation(dir.toString(), "current schema directory does not exist"));
      return bySubject;
    }
    for (Path file : list(dir, true)) {
      if (!file.getFileName().toString().endsWith(".avsc")) {
        continue;
      }
      Schema schema = parse(file, problems);
      if (schema == null) {
        continue;
      }
      SchemaVersion version = new SchemaVersion(schema.getFullName(), SchemaVersion.CURRENT, schema, file);
      SchemaVersion clash = bySubject.putIfAbsent(schema.getFullName(), version);
      if (clash != null) {
        problems.add(new Violation(schema.getFullName(),
            "defined twice in the current schemas: " + clash.source() + " and " + file));
      }
    }
    return bySubject;
  }

  private static Map<String, List<SchemaVersion>> readHistory(Path dir, List<Violation> problems) {
    Map<String, List<SchemaVersion>> bySubject = new TreeMap<>();
    if (!Files.exists(dir)) {
      return bySubject;
    }
    for (Path entry : list(dir, false)) {
      String subject = entry.getFileName().toString();
      if (!Files.isDirectory(entry)) {
        problems.add(new Violation(entry.toString(),
            "unexpected file in the history; released versions go to <history>/<record full name>/v<N>.avsc"));
        continue;
      }
      List<SchemaVersion> versions = readSubjectHistory(subject, entry, problems);
      if (!versions.isEmpty()) {
        bySubject.put(subject, versions);
      }
    }
    return bySubject;
  }

  private static List<SchemaVersion> readSubjectHistory(String subject, Path dir, List<Violation> problems) {
    TreeMap<Integer, Path> files = new TreeMap<>();
    for (Path file : list(dir, false)) {
      Matcher matcher = HISTORY_FILE.matcher(file.getFileName().toString());
      if (!matcher.matches() || !Files.isRegularFile(file)) {
        problems.add(new Violation(subject,
            "unexpected entry " + file + " in the history (expected v1.avsc, v2.avsc, ...)"));
        continue;
      }
      files.put(Integer.parseInt(matcher.group(1)), file);
    }
    if (files.isEmpty()) {
      problems.add(new Violation(subject, "history directory " + dir + " holds no versions"));
      return List.of();
    }
    // Gaps are refused: a missing vN would silently drop it from the transitive checks.
    List<Integer> numbers = new ArrayList<>(files.keySet());
    List<SchemaVersion> versions = new ArrayList<>();
    for (int i = 0; i < numbers.size(); i++) {
      if (numbers.get(i) != i + 1) {
        problems.add(new Violation(subject, "history is not consecutive: found versions "
            + labels(numbers) + ", expected v1..v" + numbers.size() + " (v" + (i + 1) + " is missing)"));
        return List.of();
      }
    }
    for (Map.Entry<Integer, Path> entry : files.entrySet()) {
      Path file = entry.getValue();
      Schema schema = parse(file, problems);
      if (schema == null) {
        return List.of();
      }
      if (!schema.getFullName().equals(subject)) {
        problems.add(new Violation(subject, file + " defines " + schema.getFullName()
            + ", not the record its directory is named after (" + subject + ")"));
        return List.of();
      }
      versions.add(new SchemaVersion(subject, "v" + entry.getKey(), schema, file));
    }
    return versions;
  }

  private static Schema parse(Path file, List<Violation> problems) {
    try {
      // A fresh parser per file: versions of one subject share a name, which one parser refuses.
      Schema schema = new Schema.Parser().parse(Files.readString(file, StandardCharsets.UTF_8));
      if (!isNamed(schema)) {
        problems.add(new Violation(file.toString(),
            "top-level type is " + schema.getType() + "; a schema file must define a record, enum or fixed"));
        return null;
      }
      return schema;
    } catch (SchemaParseException | IOException e) {
      problems.add(new Violation(file.toString(), "cannot be parsed: " + e.getMessage()));
      return null;
    }
  }

  private static boolean isNamed(Schema schema) {
    return switch (schema.getType()) {
      case RECORD, ENUM, FIXED -> true;
      default -> false;
    };
  }

  private static List<Path> list(Path dir, boolean recursive) {
    try (Stream<Path> paths = recursive ? Files.walk(dir) : Files.list(dir)) {
      return paths.filter(path -> !path.equals(dir)).filter(path -> !recursive || Files.isRegularFile(path))
          .sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }

  private static List<String> labels(List<Integer> numbers) {
    return numbers.stream().map(n -> "v" + n).toList();
  }

  private static List<String> union(Iterable<String> first, Iterable<String> second) {
    TreeMap<String, Boolean> names = new TreeMap<>();
    first.forEach(name -> names.put(name, true));
    second.forEach(name -> names.put(name, true));
    return new ArrayList<>(names.keySet());
  }
}
