package dev.tether.jetty;

import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http2.CloseState;
import org.eclipse.jetty.http2.HTTP2Connection;
import org.eclipse.jetty.http2.HTTP2Session;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.ConnectionMetaData;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Ends HTTP/2 connections the HTTP/2 way. Loaded only when Jetty's HTTP/2 classes are on the class
 * path ({@link #available()}); a server without them never touches this class's other methods.
 *
 * <p>{@code HTTP2Session.shutdown()} (Jetty 12.0 and 12.1) sends the graceful GOAWAY (last stream id
 * 2^31-1, RFC 9113, 6.8) at once and lets the streams in progress finish; a stream the client opened
 * before it saw the GOAWAY is still accepted (and answered by Tether with 421). When no stream is
 * left Jetty sends the final GOAWAY, then waits for the client's. A client that neither answers nor
 * leaves (the JDK's {@code HttpClient} keeps the connection) would hold it, and its lease, until the
 * idle timeout: so once a second, with the connector's scheduler, the connection is checked and
 * disconnected as soon as it has no stream.
 *
 * <p>Stateless; thread-safe.
 */
final class JettyHttp2 {
  private static final String CONNECTION_CLASS = "org.eclipse.jetty.http2.HTTP2Connection";
  private static final long CHECK_SECONDS = 1;

  private JettyHttp2() {}

  /** Returns whether Jetty's HTTP/2 classes are there, without loading this class's users of them. */
  static boolean available() {
    try {
      Class.forName(CONNECTION_CLASS, false, JettyHttp2.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /**
   * Ends {@code connection} gracefully if it is an HTTP/2 connection; returns false, doing nothing,
   * otherwise. Calling it again is harmless.
   */
  static boolean shutdown(Connection connection) {
    if (!(connection instanceof HTTP2Connection h2)) {
      return false;
    }
    HTTP2Session session = h2.getSession();
    boolean first = session.getCloseState() == CloseState.NOT_CLOSED;
    session.shutdown();
    if (first && h2 instanceof ConnectionMetaData meta) {
      closeWhenDone(session, meta.getConnector().getScheduler());
    }
    return true;
  }

  private static void closeWhenDone(HTTP2Session session, Scheduler scheduler) {
    scheduler.schedule(() -> {
      if (session.isDisconnected()) {
        return;
      }
      if (session.getStreamCount() == 0) {
        // Jetty sent its final GOAWAY when the last stream went; nothing is left to finish.
        session.disconnect();
      } else {
        closeWhenDone(session, scheduler);
      }
    }, CHECK_SECONDS, TimeUnit.SECONDS);
  }
}
