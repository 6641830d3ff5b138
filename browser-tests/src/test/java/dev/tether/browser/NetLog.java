package dev.tether.browser;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.openqa.selenium.json.Json;

/**
 * Chromium's own record of its network traffic ({@code --log-net-log=FILE}, read after the browser
 * quit): each TLS handshake it made and whether it resumed a session, the HTTP responses it received,
 * and the requests it sent again because the server answered 421.
 *
 * <p>The file is the JSON of {@code chrome://net-export}: {@code constants} maps event names to
 * numbers; {@code events} holds {@code {type, source: {id}, phase, params}}. The events used are
 * {@code TCP_CONNECT} (its end carries the socket's {@code local_address}), {@code SSL_CONNECT}
 * (its end carries {@code is_resumed}, {@code version} and {@code next_proto}, the protocol ALPN
 * chose), {@code URL_REQUEST_START_JOB} ({@code url}), {@code HTTP_TRANSACTION_READ_RESPONSE_HEADERS}
 * ({@code headers}, the status line first), {@code HTTP_TRANSACTION_RESTART_MISDIRECTED_REQUEST} and
 * {@code SOCKET_POOL_CLOSING_SOCKET} ({@code reason}). A socket's events share its source id.
 *
 * <p>Immutable.
 */
final class NetLog {
  /**
   * One TLS handshake of the browser: the socket's net-log id, and what the handshake did;
   * {@code nextProto} is what ALPN chose ({@code unknown} when the server chose nothing, so
   * HTTP/1.1; {@code h2} once the server offers HTTP/2).
   */
  record Handshake(long socket, boolean resumed, String version, String nextProto, int netError) {}

  /** A pooled connection Chromium closed, by its local port, and Chromium's reason. */
  record Closing(int port, String reason) {}

  /**
   * One HTTP response the browser received (redirects included), with the URL it asked for and its
   * header lines (the status line first).
   */
  record Response(String url, int status, List<String> headers) {
    /** Returns whether the response has the header line {@code name: value} (any case). */
    boolean has(String name, String value) {
      return headers.stream().skip(1).anyMatch(h -> h.equalsIgnoreCase(name + ": " + value));
    }

    String path() {
      return java.net.URI.create(url).getPath();
    }
  }

  /** Chromium's reason for closing an idle pooled connection on which bytes arrived. */
  static final String UNEXPECTED_DATA = "Data received unexpectedly";

  private final List<Handshake> handshakes;
  private final List<Response> responses;
  private final int misdirectedRetries;
  private final List<Closing> closings;

  private NetLog(List<Handshake> handshakes, List<Response> responses, int misdirectedRetries,
      List<Closing> closings) {
    this.handshakes = List.copyOf(handshakes);
    this.responses = List.copyOf(responses);
    this.misdirectedRetries = misdirectedRetries;
    this.closings = List.copyOf(closings);
  }

  @SuppressWarnings("unchecked")
  static NetLog read(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new UncheckedIOException("no net-log from Chromium at " + file, e);
    }
    Map<String, Object> log = new Json().toType(text, Map.class);
    Map<String, Object> constants = (Map<String, Object>) log.get("constants");
    Map<String, Object> types = (Map<String, Object>) constants.get("logEventTypes");
    Map<String, Object> phases = (Map<String, Object>) constants.get("logEventPhase");
    long tcpConnect = number(types.get("TCP_CONNECT"));
    long sslConnect = number(types.get("SSL_CONNECT"));
    long startJob = number(types.get("URL_REQUEST_START_JOB"));
    long headers = number(types.get("HTTP_TRANSACTION_READ_RESPONSE_HEADERS"));
    long misdirected = number(types.get("HTTP_TRANSACTION_RESTART_MISDIRECTED_REQUEST"));
    long closing = number(types.get("SOCKET_POOL_CLOSING_SOCKET"));
    long end = number(phases.get("PHASE_END"));
    long begin = number(phases.get("PHASE_BEGIN"));

    List<Handshake> handshakes = new ArrayList<>();
    List<Response> responses = new ArrayList<>();
    Map<Long, String> urlBySource = new HashMap<>();
    Map<Long, Integer> portBySocket = new HashMap<>();
    List<Closing> closings = new ArrayList<>();
    int retries = 0;
    for (Map<String, Object> e : (List<Map<String, Object>>) log.get("events")) {
      long type = number(e.get("type"));
      long phase = number(e.get("phase"));
      long source = number(((Map<String, Object>) e.get("source")).get("id"));
      Map<String, Object> params = (Map<String, Object>) e.getOrDefault("params", Map.of());
      if (type == tcpConnect && phase == end && params.get("local_address") != null) {
        String local = String.valueOf(params.get("local_address")); // 127.0.0.1:53726
        portBySocket.put(source, Integer.parseInt(local.substring(local.lastIndexOf(':') + 1)));
      } else if (type == sslConnect && phase == end) {
        handshakes.add(new Handshake(source, Boolean.TRUE.equals(params.get("is_resumed")),
            String.valueOf(params.get("version")), String.valueOf(params.get("next_proto")),
            params.containsKey("net_error") ? (int) number(params.get("net_error")) : 0));
      } else if (type == startJob && phase == begin && params.get("url") != null) {
        urlBySource.put(source, String.valueOf(params.get("url")));
      } else if (type == headers && params.get("headers") instanceof List<?> lines && !lines.isEmpty()) {
        List<String> headerLines = lines.stream().map(String::valueOf).toList();
        String[] status = headerLines.get(0).split(" "); // "HTTP/1.1 303 See Other"
        responses.add(new Response(urlBySource.getOrDefault(source, "?"),
            Integer.parseInt(status[1]), headerLines));
      } else if (type == misdirected) {
        retries++;
      } else if (type == closing) {
        closings.add(new Closing(portBySocket.getOrDefault(source, -1),
            String.valueOf(params.get("reason"))));
      }
    }
    return new NetLog(handshakes, responses, retries, closings);
  }

  private static long number(Object o) {
    if (o == null) {
      throw new IllegalStateException("the net-log lacks an event type this reader needs");
    }
    return ((Number) o).longValue();
  }

  /** Returns the TLS handshakes that completed, in order. */
  List<Handshake> handshakes() {
    return handshakes.stream().filter(h -> h.netError() == 0).toList();
  }

  /** Returns the handshakes that resumed a session (no new SA on the server). */
  long resumed() {
    return handshakes().stream().filter(Handshake::resumed).count();
  }

  /** Returns the full handshakes (a new SA on the server). */
  long full() {
    return handshakes().stream().filter(h -> !h.resumed()).count();
  }

  /** Returns the HTTP responses the browser received, in order. */
  List<Response> responses() {
    return responses;
  }

  /** Returns the responses to requests for {@code path}, in order. */
  List<Response> responses(String path) {
    return responses.stream().filter(r -> r.path().equals(path)).toList();
  }

  /** Returns the requests Chromium sent again on a new connection after a 421. */
  int misdirectedRetries() {
    return misdirectedRetries;
  }

  /** Returns the 421 responses the browser received. */
  long misdirected() {
    return responses.stream().filter(r -> r.status() == 421).count();
  }

  /**
   * Returns the local ports of the idle pooled connections Chromium closed because bytes arrived on
   * them while no request was waiting: a server's {@code close_notify} (the server was ending the
   * connection), or a TLS 1.3 NewSessionTicket sent after the response.
   */
  List<Integer> closedOnUnexpectedData() {
    return closings.stream().filter(c -> c.reason().equals(UNEXPECTED_DATA)).map(Closing::port)
        .toList();
  }

  /** Returns the protocols ALPN chose on the browser's connections ({@code unknown}: HTTP/1.1). */
  Set<String> nextProtos() {
    return handshakes().stream().map(Handshake::nextProto)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  @Override
  public String toString() {
    return "NetLog{handshakes=" + handshakes + ", responses="
        + responses.stream().map(r -> r.status() + " " + r.path()).toList() + ", 421 retries="
        + misdirectedRetries + ", closings=" + closings + "}";
  }
}
