package dev.tether.tomcat;

import org.apache.coyote.UpgradeToken;
import org.apache.coyote.http11.upgrade.InternalHttpUpgradeHandler;
import org.apache.coyote.http11.upgrade.UpgradeProcessorInternal;
import org.apache.tomcat.util.net.SocketWrapperBase;

/**
 * The processor of an HTTP/2 connection that Tether follows: Tomcat's own, which can also end the
 * connection the HTTP/2 way when its SA is deleted ({@link #endGracefully}).
 *
 * <p>Ending sends a GOAWAY at once ({@code Http2UpgradeHandler.pause()}: the graceful GOAWAY of
 * RFC 9113, 6.8, with the last stream id 2^31-1, so that the client opens no new stream on the
 * connection; Tomcat sends the final GOAWAY with the real last stream id when a stream arrives after
 * a round trip). The streams in progress finish normally. Then, the first time Tomcat checks its
 * waiting connections (once a second) while the connection has no active stream, the connection is
 * closed as Tomcat closes an idle one: a GOAWAY with the last stream id, then the socket, whose
 * release reaches {@link TetherHandler#release} once. A stream is never cut short.
 *
 * <p>Concurrency: {@link #endGracefully} may be called from any thread (a flush, a request thread);
 * the flag is volatile and the handler's own methods are thread-safe, as Tomcat calls them from its
 * pause and timeout threads too.
 */
final class TetherHttp2Processor extends UpgradeProcessorInternal {
  private final InternalHttpUpgradeHandler handler;
  private volatile boolean ending;

  TetherHttp2Processor(SocketWrapperBase<?> wrapper, UpgradeToken token) {
    super(wrapper, token, null);
    this.handler = (InternalHttpUpgradeHandler) token.httpUpgradeHandler();
  }

  /** Sends the graceful GOAWAY, and closes the connection once it has no active stream. */
  void endGracefully() {
    ending = true;
    handler.pause();
  }

  /** Returns whether the connection is ending. */
  boolean isEnding() {
    return ending;
  }

  @Override
  public void timeoutAsync(long now) {
    if (ending && now != -1) {
      // A pause before the client's preface was read is retried (it is a no-op once sent); a time
      // past every deadline closes the connection if, and only if, no stream is active on it.
      handler.pause();
      super.timeoutAsync(Long.MAX_VALUE);
    } else {
      super.timeoutAsync(now);
    }
  }
}
