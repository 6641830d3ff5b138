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
 * <p>Concurrency: stateless.
 */
final class TetherHandler implements Handler<NioChannel> {
  private final Handler<NioChannel> delegate;

  TetherHandler(Handler<NioChannel> delegate) {
    this.delegate = delegate;
  }

  @Override
  public SocketState process(SocketWrapperBase<NioChannel> socketWrapper, SocketEvent status) {
    TrackedConnection connection = connectionOf(socketWrapper);
    if (connection != null && status == SocketEvent.CONNECT_FAIL) {
      connection.connectFailed();
    }
    return delegate.process(socketWrapper, status);
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
