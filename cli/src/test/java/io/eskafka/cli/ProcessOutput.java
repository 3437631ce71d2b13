package io.eskafka.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** The lines a child process prints, collected as they come, for tests that wait on them. */
final class ProcessOutput {

  private ProcessOutput() {}

  /**
   * Starts a daemon thread reading the process's (merged) output.
   *
   * @param process the child process
   * @param name the reader thread's name
   * @return the lines so far; grows until the process ends; safe to read from any thread
   */
  static List<String> collect(Process process, String name) {
    List<String> lines = new CopyOnWriteArrayList<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
          StandardCharsets.UTF_8))) {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          lines.add(line);
        }
      } catch (IOException e) {
        lines.add("(output read failed: " + e + ")");
      }
    }, name);
    reader.setDaemon(true);
    reader.start();
    return lines;
  }
}
