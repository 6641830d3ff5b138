package dev.tether.benchmarks.connections;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.IntPredicate;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where a server's CPU went, from the execution samples of a flight recording: how many samples
 * have a frame of Tether's own code anywhere in their stack (inclusive), and, by method, which of
 * Tether's methods and which methods they call (JSSE, the JDK) account for them. The benchmark's own
 * classes ({@code dev.tether.benchmarks}) are the application, not Tether.
 *
 * @param samples every execution sample of the server process
 * @param tether the samples with a Tether frame in their stack, but for those passed on
 * @param passedOn samples whose innermost Tether frame only passes the call on to a method of the
 *     same name and parameters outside Tether ({@link #passesOn}): work a server without Tether does the same way, so not Tether's
 *     cost. The handshake inspector passing each question on to the algorithm constraints the
 *     engine's owner set (the JDK's own defaults are not passed on: the JDK checks them around any
 *     constraints); Tomcat's {@code TetherChannel.handshake} calling
 *     {@code SecureNioChannel.handshake}, where the whole TLS handshake runs, and
 *     {@code TetherHandler.process} calling the protocol's handler
 * @param byTetherMethod samples by Tether method, inclusive (a sample counts once per method)
 * @param byCallee samples by the innermost frame (the method running), among Tether's samples
 * @param stacks Tether's samples by stack, from the outermost Tether frame to the method running
 *     (frames joined by {@code ;}, as flame-graph tools read them)
 */
record Profile(long samples, long tether, long passedOn, Map<String, Long> byTetherMethod,
    Map<String, Long> byCallee, Map<String, Long> stacks) {

  static final Profile EMPTY = new Profile(0, 0, 0, Map.of(), Map.of(), Map.of());

  /** Reads a recording. */
  static Profile of(Path recording) throws IOException {
    Tally tally = new Tally();
    for (RecordedEvent e : RecordingFile.readAllEvents(recording)) {
      if (!e.getEventType().getName().equals("jdk.ExecutionSample") || e.getStackTrace() == null) {
        continue;
      }
      // A recording lists the running frame first; a tally takes the outermost first.
      List<RecordedFrame> frames = e.getStackTrace().getFrames();
      int size = frames.size();
      RecordedMethod[] methods = new RecordedMethod[size];
      String[] names = new String[size];
      for (int i = 0; i < size; i++) {
        methods[i] = frames.get(size - 1 - i).getMethod();
        names[i] = name(methods[i]);
      }
      tally.add(1, names, i -> isTether(methods[i]), i -> passesOn(methods[i], methods[i + 1]));
    }
    return tally.profile();
  }

  /**
   * Reads a CPU-time profile in async-profiler's collapsed form: one stack per line, frames from the
   * outermost to the running one joined by {@code ;}, Java methods as {@code pkg/Class.method}, then
   * a space and the number of samples. Every thread of the process is sampled at every interval of
   * the CPU time it uses, in Java, native, JVM or kernel code alike, so the share is a share of the
   * server's CPU. Without method descriptors, a Tether method passes a call on ({@link #passesOn})
   * when the method it calls outside Tether has its name.
   */
  static Profile ofCollapsed(Path file) throws IOException {
    Tally tally = new Tally();
    for (String line : Files.readAllLines(file)) {
      int space = line.lastIndexOf(' ');
      if (space < 0) {
        continue;
      }
      String[] frames = line.substring(0, space).split(";");
      String[] names = new String[frames.length];
      for (int i = 0; i < frames.length; i++) {
        names[i] = shortName(frames[i]);
      }
      tally.add(Long.parseLong(line.substring(space + 1).trim()), names,
          i -> isTether(frames[i]), i -> methodName(frames[i + 1]).equals(methodName(frames[i])));
    }
    return tally.profile();
  }

  /** Counts stacks, whatever their source, into a profile. */
  private static final class Tally {
    private long samples;
    private long tether;
    private long passedOn;
    private final Map<String, Long> byMethod = new HashMap<>();
    private final Map<String, Long> byCallee = new HashMap<>();
    private final Map<String, Long> stacks = new HashMap<>();

    /**
     * Counts {@code n} samples of one stack: {@code names} from the outermost frame to the one
     * running; {@code tetherAt} says which frames are Tether's, {@code passesOnAt} whether the
     * frame at an index only passes the call on to the next one.
     */
    void add(long n, String[] names, IntPredicate tetherAt, IntPredicate passesOnAt) {
      samples += n;
      Set<String> seen = new HashSet<>();
      int outermost = -1;
      int innermost = -1;
      for (int i = 0; i < names.length; i++) {
        if (tetherAt.test(i)) {
          seen.add(names[i]);
          outermost = outermost < 0 ? i : outermost;
          innermost = i;
        }
      }
      if (seen.isEmpty()) {
        return;
      }
      if (innermost + 1 < names.length && passesOnAt.test(innermost)) {
        passedOn += n;
        return;
      }
      tether += n;
      seen.forEach(m -> byMethod.merge(m, n, Long::sum));
      byCallee.merge(names[names.length - 1], n, Long::sum);
      stacks.merge(String.join(";", Arrays.asList(names).subList(outermost, names.length)), n,
          Long::sum);
    }

    Profile profile() {
      return new Profile(samples, tether, passedOn, byMethod, byCallee, stacks);
    }
  }

  /** Adds another recording of the same cell (another fork). */
  Profile plus(Profile other) {
    Map<String, Long> methods = new HashMap<>(byTetherMethod);
    other.byTetherMethod.forEach((m, n) -> methods.merge(m, n, Long::sum));
    Map<String, Long> callees = new HashMap<>(byCallee);
    other.byCallee.forEach((m, n) -> callees.merge(m, n, Long::sum));
    Map<String, Long> all = new HashMap<>(stacks);
    other.stacks.forEach((m, n) -> all.merge(m, n, Long::sum));
    return new Profile(samples + other.samples, tether + other.tether,
        passedOn + other.passedOn, methods, callees, all);
  }

  /** Writes Tether's stacks, most frequent first, one per line with its count. */
  void writeStacks(Path file) throws IOException {
    StringBuilder text = new StringBuilder();
    stacks.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .forEach(e -> text.append(e.getKey()).append(' ').append(e.getValue()).append('\n'));
    Files.writeString(file, text);
  }

  /** Tether's share of the samples, in per cent: its own work, without what it passes on. */
  double share() {
    return samples == 0 ? Double.NaN : 100.0 * tether / samples;
  }

  /** The share of the samples Tether passes on (see {@link #passedOn}), in per cent. */
  double passedOnShare() {
    return samples == 0 ? Double.NaN : 100.0 * passedOn / samples;
  }

  /** The {@code n} largest entries, as "method 1.2 %" (per cent of all samples). */
  String top(Map<String, Long> counts, int n) {
    Map<String, Long> top = new LinkedHashMap<>();
    counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .limit(n).forEach(e -> top.put(e.getKey(), e.getValue()));
    StringBuilder s = new StringBuilder();
    top.forEach((m, c) -> s.append(s.length() == 0 ? "" : ", ").append('`').append(m)
        .append("` ").append(String.format(Locale.ROOT, "%.2f %%", 100.0 * c / samples)));
    return s.length() == 0 ? "-" : s.toString();
  }

  /**
   * Whether {@code caller}, a Tether method, calls {@code callee}, outside Tether, under its own name
   * and parameters: the method it overrides or the one it wraps, to which it passes the call on.
   */
  static boolean passesOn(RecordedMethod caller, RecordedMethod callee) {
    return callee.getName().equals(caller.getName())
        && callee.getDescriptor().equals(caller.getDescriptor());
  }

  static boolean isTether(RecordedMethod m) {
    String type = m.getType().getName();
    return type.startsWith("dev.tether.") && !type.startsWith("dev.tether.benchmarks.");
  }

  /** Whether a frame of a collapsed stack ({@code dev/tether/tls/TlsConnection.prepare}) is Tether's. */
  static boolean isTether(String frame) {
    return frame.startsWith("dev/tether/") && !frame.startsWith("dev/tether/benchmarks/");
  }

  /** A collapsed frame's class without its package, and its method. */
  static String shortName(String frame) {
    return frame.substring(frame.lastIndexOf('/') + 1);
  }

  private static String methodName(String frame) {
    return frame.substring(frame.lastIndexOf('.') + 1);
  }

  private static String name(RecordedMethod m) {
    String type = m.getType().getName();
    return type.substring(type.lastIndexOf('.') + 1) + "." + m.getName();
  }
}
