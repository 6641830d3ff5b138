package dev.tether.jetty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tether.AssociationRegistry;
import dev.tether.DeletionCause;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A flush that deletes the SA of a connection while one of its requests runs: the request's response
 * goes out in full, then the connection ends; a request pipelined behind it is not served on the
 * deleted SA (421, or the connection closed before it).
 */
class JettyTetherFlushTest {
  private final TestServer server = new TestServer();
  private final CountDownLatch entered = new CountDownLatch(1);
  private final CountDownLatch release = new CountDownLatch(1);
  private AssociationRegistry registry;

  @AfterEach
  void stop() throws Exception {
    release.countDown();
    server.close();
  }

  @Test
  void flushDuringARequest_responseCompletes_thenTheConnectionEnds_pipelinedRequestNotServed()
      throws Exception {
    server.server.setHandler(new Handler.Abstract() {
      @Override
      public boolean handle(Request request, Response response, Callback callback)
          throws Exception {
        if (request.getHttpURI().getPath().equals("/block")) {
          entered.countDown();
          release.await(20, TimeUnit.SECONDS);
        }
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain");
        response.write(true, BufferUtil.toBuffer("ok\n"), callback);
        return true;
      }
    });
    JettyTether tether = JettyTether.addToAllConnectors(server.server);
    server.start();
    registry = tether.registry();

    try (Socket plain = new Socket()) {
      plain.connect(new InetSocketAddress("127.0.0.1", server.port()), 10_000);
      plain.setSoTimeout(20_000);
      SSLSocket tls = (SSLSocket) TestServer.CERT.clientContext().getSocketFactory()
          .createSocket(plain, "localhost", server.port(), true);
      tls.startHandshake();
      tls.getOutputStream().write(("GET /block HTTP/1.1\r\nHost: localhost\r\n\r\n"
          + "GET /after HTTP/1.1\r\nHost: localhost\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      tls.getOutputStream().flush();
      assertThat(entered.await(20, TimeUnit.SECONDS)).isTrue();

      assertThat(registry.flushAll(DeletionCause.MANUAL)).isEqualTo(1);
      release.countDown();
      String answers = readAll(tls.getInputStream());

      assertThat(answers).as(answers).startsWith("HTTP/1.1 200 ").contains("ok\n");
      String after = answers.substring(answers.indexOf("ok\n") + 3);
      // The pipelined request meets the ended connection: refused with 421, or not read at all.
      assertThat(after).as(answers).satisfiesAnyOf(
          a -> assertThat(a).isEmpty(),
          a -> assertThat(a).startsWith("HTTP/1.1 421 "));
      assertThat(answers).doesNotContain(" 500 ");
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> registry.stats().leases() == 0);
    assertThat(registry.stats().endedConnections()).isEqualTo(1);
  }

  private static String readAll(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      in.transferTo(out);
    } catch (IOException e) {
      // A reset after the last answer: what was read is what counts.
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
