package dev.tether.tomcat;

import org.apache.tomcat.util.net.AbstractEndpoint.Handler;
import org.apache.tomcat.util.net.NioChannel;
import org.apache.tomcat.util.net.SocketEvent;
import org.apache.tomcat.util.net.SocketWrapperBase;

/**
 * Wraps the protocol's connection handler to see the two socket events Tomcat has no listener for:
 * the close ({@link #release}, called exactly once per socket whatever ended it) and the failed
 * handshake ({@code process(wrapper, CONNECT_FAIL)}).
 *
 * <p>While Tomcat processes a socket, the handler also makes its connection the current one of the
 * thread, so that {@link TomcatTetherValve}, which runs inside that call, finds the request's
 * connection without any lookup table.
 *
 * <p>Concurrency: stateless apart from the thread-local, which is restored when processing ends.
 */
final class TetherHandler implements Handler<NioChannel> {
  private static final ThreadLocal<TrackedConnection> CURRENT = new ThreadLocal<>();

  private final Handler<NioChannel> delegate;

  TetherHandler(Handler<NioChannel> delegate) {
    this.delegate = delegate;
  }

  /** Returns the connection whose socket this thread is processing, or {@code null}. */
  static TrackedConnection current() {
    return CURRENT.get();
  }

  @Override
  public SocketState process(SocketWrapperBase<NioChannel> socketWrapper, SocketEvent status) {
    TrackedConnection connection = connectionOf(socketWrapper);
    if (connection != null && status == SocketEvent.CONNECT_FAIL) {
      connection.connectFailed();
    }
    TrackedConnection previous = CURRENT.get();
    CURRENT.set(connection);
    try {
      return delegate.process(socketWrapper, status);
    } finally {
      if (previous == null) {
        CURRENT.remove();
      } else {
        CURRENT.set(previous);
      }
    }
  }

  @Override
  public void release(SocketWrapperBase<NioChannel> socketWrapper) {
    try {
      TrackedConnection connection = connectionOf(socketWrapper);
      if (connection != null) {
        connection.tls().closed();
      }
    } finally {
      delegate.release(socketWrapper);
    }
  }

  private static TrackedConnection connectionOf(SocketWrapperBase<NioChannel> socketWrapper) {
    // Before Tomcat's own close the wrapper still holds its channel; afterwards it holds a closed one.
    return socketWrapper.getSocket() instanceof TetherChannel channel ? channel.connection() : null;
  }

  @Override
  public Object getGlobal() {
    return delegate.getGlobal();
  }

  @Override
  public void pause() {
    delegate.pause();
  }

  @Override
  public void recycle() {
    delegate.recycle();
  }
}
