package io.eskafka.internal;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Deletes the temporary directories the toolkit creates (broker logs, state dirs). */
public final class DirectoryTree {

  private static final Logger log = LoggerFactory.getLogger(DirectoryTree.class);

  private DirectoryTree() {}

  /**
   * Deletes a directory and everything below it. A directory that is already gone is fine; any
   * other failure is logged, not thrown, because callers are closing down and must go on.
   *
   * @param root the directory, never {@code null}
   */
  public static void deleteQuietly(Path root) {
    try {
      Files.walkFileTree(root, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          Files.deleteIfExists(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
          Files.deleteIfExists(dir);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (NoSuchFileException gone) {
      // Already deleted: nothing to do.
    } catch (IOException e) {
      log.warn("could not delete directory {}", root, e);
    }
  }
}
