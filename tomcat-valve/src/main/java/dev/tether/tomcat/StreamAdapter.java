package dev.tether.tomcat;

import org.apache.coyote.Adapter;
import org.apache.coyote.Request;
import org.apache.coyote.Response;
import org.apache.tomcat.util.net.SocketEvent;

/**
 * Tomcat's adapter as the streams of one HTTP/2 connection that Tether follows see it: Tomcat's own
 * in every respect, except that once a stream has been served (the valves ran and the response was
 * finished, its last frame written), the GOAWAY a request of the connection asked for goes out
 * ({@link TrackedConnection#streamServed}). Thread-safe as Tomcat's adapter is; it keeps nothing of
 * its own but the connection.
 */
final class StreamAdapter implements Adapter {
  private final Adapter delegate;
  private final TrackedConnection connection;

  StreamAdapter(Adapter delegate, TrackedConnection connection) {
    this.delegate = delegate;
    this.connection = connection;
  }

  @Override
  public void service(Request req, Response res) throws Exception {
    try {
      delegate.service(req, res);
    } finally {
      connection.streamServed();
    }
  }

  @Override
  public boolean prepare(Request req, Response res) throws Exception {
    return delegate.prepare(req, res);
  }

  @Override
  public boolean asyncDispatch(Request req, Response res, SocketEvent status) throws Exception {
    try {
      return delegate.asyncDispatch(req, res, status);
    } finally {
      connection.streamServed();
    }
  }

  @Override
  public void log(Request req, Response res, long time) {
    delegate.log(req, res, time);
  }

  @Override
  public void checkRecycled(Request req, Response res) {
    delegate.checkRecycled(req, res);
  }

  @Override
  public String getDomain() {
    return delegate.getDomain();
  }
}
