package dev.tether.tomcat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs {@code openssl s_client} against a test server and reads whether it resumed. */
final class OpenSsl {
  private static final String REQUEST =
      "GET /app/sa HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";

  private OpenSsl() {}

  /** Connects once; {@code extra} are more s_client options such as -sess_out FILE. Returns its output. */
  static String sClient(int port, Path caFile, String protocol, String... extra)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("/usr/bin/openssl", "s_client", "-connect",
        "127.0.0.1:" + port, "-servername", "localhost", "-CAfile", caFile.toString(),
        "-verify_return_error", "-ign_eof", protocol.equals("TLSv1.3") ? "-tls1_3" : "-tls1_2"));
    cmd.addAll(List.of(extra));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getOutputStream().write(REQUEST.getBytes(StandardCharsets.US_ASCII));
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("openssl s_client did not finish: " + String.join(" ", cmd));
    }
    return new String(out, StandardCharsets.UTF_8);
  }

  /**
   * Returns the options that offer the session saved in {@code file}, or none if the server sent no
   * session to save (Bouncy Castle issues no TLS 1.3 tickets).
   */
  static String[] sessIn(Path file) {
    return Files.exists(file) ? new String[] {"-sess_in", file.toString()} : new String[0];
  }

  /** Returns the "New"/"Reused" word of every handshake in the output, in order. */
  static List<String> handshakes(String output) {
    List<String> result = new ArrayList<>();
    for (String line : output.split("\n")) {
      if (line.startsWith("New, ") || line.startsWith("Reused, ")) {
        result.add(line.substring(0, line.indexOf(',')));
      }
    }
    return result;
  }
}
