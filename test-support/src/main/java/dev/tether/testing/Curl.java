package dev.tether.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code curl} (Debian's, built with nghttp2) against a test server over TLS: one request, the
 * HTTP version it travelled over ({@code 2} or {@code 1.1}), the status, the headers and the body.
 * {@code curl} negotiates {@code h2} by ALPN when asked with {@code --http2}. It does not resume TLS
 * sessions across invocations: every call is a new connection and a new SA.
 *
 * <pre>{@code
 * Curl.Response r = Curl.get(port, caFile, "TLSv1.3", "/app/page", "--http2", "-u", "alice:secret");
 * assertThat(r.version()).isEqualTo("2");
 * }</pre>
 */
public final class Curl {
  private Curl() {}

  /**
   * One response.
   *
   * @param version the HTTP version curl reports ({@code 2}, {@code 1.1})
   * @param status the status code
   * @param headers the response headers, names in lower case (the last value of a repeated one)
   * @param body the body as text
   */
  public record Response(String version, int status, Map<String, String> headers, String body) {}

  /**
   * Sends {@code GET https://localhost:PORT/path} (localhost resolved to 127.0.0.1) with exactly
   * {@code protocol} ({@code TLSv1.2} or {@code TLSv1.3}) and the CA in {@code caFile} trusted;
   * {@code extra} are more curl options ({@code --http2}, {@code -u user:password}, {@code -H ...}).
   */
  public static Response get(int port, Path caFile, String protocol, String path, String... extra)
      throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("tether-curl");
    try {
      Path headers = dir.resolve("headers");
      Path body = dir.resolve("body");
      String version = protocol.equals("TLSv1.3") ? "1.3" : "1.2";
      List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "30",
          "--cacert", caFile.toString(), "--tlsv" + version, "--tls-max", version,
          "--resolve", "localhost:" + port + ":127.0.0.1", "-D", headers.toString(),
          "-o", body.toString(), "-w", "%{http_version} %{response_code}"));
      cmd.addAll(List.of(extra));
      cmd.add("https://localhost:" + port + path);
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!p.waitFor(40, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("curl did not finish: " + String.join(" ", cmd));
      }
      if (p.exitValue() != 0) {
        throw new IOException("curl failed (" + p.exitValue() + "): " + out);
      }
      String[] words = out.split(" ");
      Map<String, String> fields = new LinkedHashMap<>();
      for (String line : Files.readAllLines(headers, StandardCharsets.ISO_8859_1)) {
        int colon = line.indexOf(':');
        if (colon > 0 && !line.startsWith("HTTP/")) {
          fields.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
              line.substring(colon + 1).trim());
        }
      }
      return new Response(words[0], Integer.parseInt(words[1]), fields,
          Files.readString(body, StandardCharsets.UTF_8));
    } finally {
      try (var files = Files.list(dir)) {
        for (Path f : (Iterable<Path>) files::iterator) {
          Files.deleteIfExists(f);
        }
      }
      Files.deleteIfExists(dir);
    }
  }
}
