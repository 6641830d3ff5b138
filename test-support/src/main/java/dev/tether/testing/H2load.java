package dev.tether.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs {@code h2load} (nghttp2's load generator, Debian package {@code nghttp2-client}) against a
 * test server and reads its summary. Without {@code --h1} it speaks HTTP/2, negotiated by ALPN, with
 * {@code -m} streams at once on each of its {@code -c} connections.
 *
 * <pre>{@code
 * H2load.Result r = H2load.run("-n", "100", "-c", "1", "-m", "10", "https://127.0.0.1:" + port + "/");
 * assertThat(r.protocol()).isEqualTo("h2");
 * }</pre>
 */
public final class H2load {
  private static final Pattern REQUESTS = Pattern.compile("requests: (\\d+) total, (\\d+) started,"
      + " (\\d+) done, (\\d+) succeeded, (\\d+) failed, (\\d+) errored");
  private static final Pattern STATUS =
      Pattern.compile("status codes: (\\d+) 2xx, (\\d+) 3xx, (\\d+) 4xx, (\\d+) 5xx");
  private static final Pattern PROTOCOL = Pattern.compile("Application protocol: (\\S+)");

  private H2load() {}

  /**
   * h2load's summary.
   *
   * @param done requests that got an answer or failed for good
   * @param errored requests lost to a transport error (a connection closed under them)
   * @param status2xx answers 2xx
   * @param status4xx answers 4xx
   * @param protocol the application protocol of the connections ({@code h2}, {@code http/1.1})
   * @param output h2load's whole output
   */
  public record Result(long done, long errored, long status2xx, long status4xx, String protocol,
      String output) {}

  /** Runs h2load with these arguments (the URL last) and returns its summary. */
  public static Result run(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("h2load"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("h2load did not finish: " + String.join(" ", cmd));
    }
    Matcher requests = REQUESTS.matcher(out);
    Matcher status = STATUS.matcher(out);
    if (!requests.find() || !status.find()) {
      throw new IOException("cannot read h2load's summary: " + out);
    }
    Matcher protocol = PROTOCOL.matcher(out);
    return new Result(Long.parseLong(requests.group(3)), Long.parseLong(requests.group(6)),
        Long.parseLong(status.group(1)), Long.parseLong(status.group(3)),
        protocol.find() ? protocol.group(1) : null, out);
  }
}
