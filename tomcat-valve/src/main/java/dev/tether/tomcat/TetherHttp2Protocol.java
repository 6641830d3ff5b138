package dev.tether.tomcat;

import org.apache.coyote.Adapter;
import org.apache.coyote.Processor;
import org.apache.coyote.Request;
import org.apache.coyote.UpgradeProtocol;
import org.apache.coyote.UpgradeToken;
import org.apache.coyote.http11.AbstractHttp11Protocol;
import org.apache.coyote.http11.upgrade.InternalHttpUpgradeHandler;
import org.apache.coyote.http2.Http2Protocol;
import org.apache.tomcat.util.net.SocketWrapperBase;

/**
 * The connector's own {@link Http2Protocol} as {@link TomcatTetherProtocol} hands it out for a
 * connection that negotiated {@code h2} by ALPN: everything is the configured protocol's, except that
 * the connection's processor is a {@link TetherHttp2Processor}, made exactly as Tomcat makes its own
 * ({@code Http2Protocol.getProcessor}), and known to the connection's {@link TrackedConnection} so
 * that Tether can end it with a GOAWAY.
 *
 * <p>The streams' requests reach the valve as Tomcat's do: each stream processor gets the
 * connection's {@link TetherSslSupport}, through which the valve finds the connection. Tomcat's
 * adapter, which serves each stream, is handed to the connection wrapped ({@link StreamAdapter}),
 * so that a GOAWAY the valve asks for follows the stream's response. Stateless; thread-safe.
 */
final class TetherHttp2Protocol implements UpgradeProtocol {
  private final Http2Protocol delegate;

  TetherHttp2Protocol(Http2Protocol delegate) {
    this.delegate = delegate;
  }

  @Override
  public Processor getProcessor(SocketWrapperBase<?> socketWrapper, Adapter adapter) {
    TrackedConnection connection = socketWrapper.getSocket() instanceof TetherChannel channel
        ? channel.connection() : null;
    InternalHttpUpgradeHandler handler = delegate.getInternalUpgradeHandler(socketWrapper,
        connection == null ? adapter : new StreamAdapter(adapter, connection), null);
    TetherHttp2Processor processor = new TetherHttp2Processor(socketWrapper,
        new UpgradeToken(handler, null, null, delegate.getUpgradeProtocolName()));
    if (connection != null) {
      connection.upgraded(processor);
    }
    return processor;
  }

  @Override
  public String getHttpUpgradeName(boolean isSSLEnabled) {
    return delegate.getHttpUpgradeName(isSSLEnabled);
  }

  @Override
  public byte[] getAlpnIdentifier() {
    return delegate.getAlpnIdentifier();
  }

  @Override
  public String getAlpnName() {
    return delegate.getAlpnName();
  }

  @Override
  public InternalHttpUpgradeHandler getInternalUpgradeHandler(SocketWrapperBase<?> socketWrapper,
      Adapter adapter, Request request) {
    return delegate.getInternalUpgradeHandler(socketWrapper, adapter, request);
  }

  @Override
  public boolean accept(Request request) {
    return delegate.accept(request);
  }

  @Override
  public void setHttp11Protocol(AbstractHttp11Protocol<?> protocol) {
    delegate.setHttp11Protocol(protocol);
  }

  @Override
  public String toString() {
    return "TetherHttp2Protocol[" + delegate + "]";
  }
}
