package dev.tether.testing;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.http2.HTTP2Session;
import org.eclipse.jetty.http2.api.Session;
import org.eclipse.jetty.http2.api.Stream;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.frames.DataFrame;
import org.eclipse.jetty.http2.frames.GoAwayFrame;
import org.eclipse.jetty.http2.frames.HeadersFrame;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.ssl.SslConnection;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * One HTTP/2 connection over TLS (ALPN {@code h2}) made with Jetty's low-level {@link HTTP2Client}, for
 * tests that must see the frames: several streams at once on the one connection, each stream's
 * answer, the server's GOAWAY and the connection's close. It needs {@code jetty-http2-client} and
 * {@code jetty-alpn-java-client} on the class path (optional dependencies of this module).
 *
 * <pre>{@code
 * try (Http2Client h2 = Http2Client.connect(context, port, "TLSv1.3")) {
 *   CompletableFuture<Http2Client.Reply> slow = h2.get("/app/page?op=hold&id=1");
 *   Http2Client.Reply login = h2.get("/basic/secure/page", "Authorization", basic).get(10, SECONDS);
 *   assertThat(h2.goAway()).succeedsWithin(Duration.ofSeconds(10));
 * }
 * }</pre>
 *
 * <p>Thread-safe: streams may be opened from any thread.
 */
public final class Http2Client implements AutoCloseable {
  private final HTTP2Client client;
  private final int port;
  private final Session session;
  private final CompletableFuture<GoAwayFrame> goAway;
  private final CompletableFuture<GoAwayFrame> closed;

  private Http2Client(HTTP2Client client, int port, Session session,
      CompletableFuture<GoAwayFrame> goAway, CompletableFuture<GoAwayFrame> closed) {
    this.client = client;
    this.port = port;
    this.session = session;
    this.goAway = goAway;
    this.closed = closed;
  }

  /**
   * One stream's answer.
   *
   * @param status the status code
   * @param headers the response headers, names in lower case
   * @param body the body as text
   */
  public record Reply(int status, Map<String, String> headers, String body) {
    /** Returns a {@code name=value} field of a {@code ;}-separated body, or {@code null}. */
    public String field(String name) {
      for (String part : body.trim().split(";")) {
        if (part.startsWith(name + "=")) {
          return part.substring(name.length() + 1);
        }
      }
      return null;
    }
  }

  /** Connects to {@code localhost:port} offering only {@code protocol} and ALPN {@code h2}. */
  public static Http2Client connect(SSLContext context, int port, String protocol)
      throws Exception {
    return connect(context, null, port, protocol);
  }

  /**
   * Connects from the local address {@code bind} (a loopback address the server then sees as the
   * peer; {@code null}: any) to {@code localhost} (127.0.0.1) on {@code port}, offering only
   * {@code protocol} and ALPN {@code h2}. Clients of one {@code context} resume each other's TLS
   * sessions (the context's session cache), as its {@code SSLSocket}s do.
   */
  public static Http2Client connect(SSLContext context, String bind, int port, String protocol)
      throws Exception {
    SslContextFactory.Client tls = new SslContextFactory.Client();
    tls.setSslContext(context);
    tls.setIncludeProtocols(protocol);
    HTTP2Client client = new HTTP2Client();
    client.addBean(tls);
    if (bind != null) {
      client.setBindAddress(new InetSocketAddress(bind, 0));
    }
    client.start();
    CompletableFuture<GoAwayFrame> goAway = new CompletableFuture<>();
    CompletableFuture<GoAwayFrame> closed = new CompletableFuture<>();
    try {
      // The name is the TLS peer (SNI, the session cache's key), the address is IPv4 loopback.
      InetSocketAddress server = new InetSocketAddress(
          InetAddress.getByAddress("localhost", new byte[] {127, 0, 0, 1}), port);
      Session session = client.connect(tls, server,
          new Session.Listener() {
            @Override
            public void onGoAway(Session s, GoAwayFrame frame) {
              goAway.complete(frame);
            }

            @Override
            public void onClose(Session s, GoAwayFrame frame, Callback callback) {
              closed.complete(frame);
              callback.succeeded();
            }

            @Override
            public void onFailure(Session s, Throwable failure, Callback callback) {
              closed.complete(null);
              callback.succeeded();
            }
          }).get(20, TimeUnit.SECONDS);
      return new Http2Client(client, port, session, goAway, closed);
    } catch (Exception e) {
      client.stop();
      throw e;
    }
  }

  /** Opens a stream: {@code GET path} with header name/value pairs; completes with the answer. */
  public CompletableFuture<Reply> get(String path, String... headers) {
    return request("GET", path, null, headers);
  }

  /**
   * Opens a stream: {@code method path} with header name/value pairs and {@code body} (or none);
   * completes with the answer.
   */
  public CompletableFuture<Reply> request(String method, String path, byte[] body,
      String... headers) {
    HttpFields.Mutable fields = HttpFields.build();
    for (int i = 0; i + 1 < headers.length; i += 2) {
      fields.add(headers[i], headers[i + 1]);
    }
    if (body != null) {
      fields.add("content-length", Integer.toString(body.length));
    }
    MetaData.Request request = new MetaData.Request(method,
        HttpURI.from("https://localhost:" + port + path), HttpVersion.HTTP_2, fields);
    CompletableFuture<Reply> reply = new CompletableFuture<>();
    session.newStream(new HeadersFrame(request, null, body == null), new Stream.Listener() {
      private MetaData.Response response;
      private final StringBuilder body = new StringBuilder();

      @Override
      public void onHeaders(Stream stream, HeadersFrame frame) {
        if (frame.getMetaData() instanceof MetaData.Response r) {
          response = r;
        }
        if (frame.isEndStream()) {
          complete();
        } else {
          stream.demand();
        }
      }

      @Override
      public void onDataAvailable(Stream stream) {
        Stream.Data data = stream.readData();
        if (data == null) {
          stream.demand();
          return;
        }
        ByteBuffer bytes = data.frame().getByteBuffer();
        body.append(StandardCharsets.UTF_8.decode(bytes));
        data.release();
        if (data.frame().isEndStream()) {
          complete();
        } else {
          stream.demand();
        }
      }

      @Override
      public void onReset(Stream stream, org.eclipse.jetty.http2.frames.ResetFrame frame,
          Callback callback) {
        reply.completeExceptionally(new IllegalStateException("stream reset: " + frame));
        callback.succeeded();
      }

      @Override
      public void onFailure(Stream stream, int error, String reason, Throwable failure,
          Callback callback) {
        reply.completeExceptionally(failure != null ? failure : new IllegalStateException(reason));
        callback.succeeded();
      }

      private void complete() {
        Map<String, String> headerMap = new java.util.LinkedHashMap<>();
        response.getHttpFields().forEach(f -> headerMap.put(f.getLowerCaseName(), f.getValue()));
        reply.complete(new Reply(response.getStatus(), headerMap, body.toString()));
      }
    }).whenComplete((stream, failure) -> {
      if (failure != null) {
        reply.completeExceptionally(failure);
      } else if (body != null) {
        stream.data(new DataFrame(stream.getId(), ByteBuffer.wrap(body), true))
            .whenComplete((s, f) -> {
              if (f != null) {
                reply.completeExceptionally(f);
              }
            });
      }
    });
    return reply;
  }

  /** Returns the client's TLS session of this connection. */
  public SSLSession sslSession() {
    EndPoint endPoint = ((HTTP2Session) session).getEndPoint();
    return ((SslConnection.SslEndPoint) endPoint).getSslConnection().getSSLEngine().getSession();
  }

  /** Completes with the server's (first) GOAWAY. */
  public CompletableFuture<GoAwayFrame> goAway() {
    return goAway;
  }

  /** Completes when the connection is closed, by either side. */
  public CompletableFuture<GoAwayFrame> closed() {
    return closed;
  }

  @Override
  public void close() throws Exception {
    client.stop();
  }
}
