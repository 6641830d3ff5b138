package dev.tether.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.AssociationRegistry;
import dev.tether.DeletionCause;
import dev.tether.Lease;
import dev.tether.tls.ConnectionLogin;
import dev.tether.tls.TlsConnection;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.lang.reflect.Proxy;
import java.security.Principal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Several requests in flight on one connection at once, as HTTP/2 streams are: the connection's login
 * state stays exact (a login on one stream while another runs; the same credentials on many streams
 * log in once), and a login that deletes the connection's SA ends the connection after its streams,
 * refusing the streams that start after it.
 */
class ConcurrentRequestsTest {
  private static final String PEER = "192.0.2.9";

  private final AssociationRegistry registry = AssociationRegistry.builder()
      .name("streams-test").grace(Duration.ofSeconds(60)).executor(Runnable::run).build();
  private final AtomicInteger ended = new AtomicInteger();
  private final AtomicInteger announced = new AtomicInteger();
  private final List<TlsConnection> connections = new ArrayList<>();

  @AfterEach
  void close() {
    connections.forEach(TlsConnection::closed);
    assertThat(registry.stats().leases()).isZero();
    registry.close();
  }

  private TlsConnection connection() throws Exception {
    TlsConnection c = TlsConnection.accepted(registry, PEER, new TlsConnection.Control() {
      @Override
      public void close() {
        ended.incrementAndGet();
      }

      @Override
      public void ending() {
        announced.incrementAndGet();
      }
    });
    c.handshakeSucceeded(new FakeSslSession("TLSv1.3", "TLS_AES_128_GCM_SHA256"));
    connections.add(c);
    return c;
  }

  @Test
  void flushWithTwoRequestsInFlight_refusesNewOnes_andEachEndSaysEndTheConnection()
      throws Exception {
    TlsConnection c = connection();
    assertThat(c.requestStarted()).isTrue();
    assertThat(c.requestStarted()).isTrue();

    registry.flushAll(DeletionCause.MANUAL);

    assertThat(ended).as("requests in flight: the container ends it after them").hasValue(0);
    assertThat(announced).as("an HTTP/2 connection may send its GOAWAY now").hasValue(1);
    assertThat(c.isEnding()).isTrue();
    assertThat(c.requestStarted()).isFalse();
    assertThat(c.requestEnded()).isTrue();
    assertThat(c.requestEnded()).isTrue();
    assertThat(c.requestEnded()).isTrue();
    assertThat(c.requestsInProgress()).isZero();
    assertThat(ended).hasValue(0);
    assertThat(announced).as("announced once").hasValue(1);
  }

  /**
   * One request in flight, the login that flushed its own connection's SA: no announcement before
   * its response, which some HTTP/2 clients would abort on a GOAWAY; its end ends the connection.
   */
  @Test
  void flushWithOneRequestInFlight_announcesNothing_itsEndEndsTheConnection() throws Exception {
    TlsConnection c = connection();
    assertThat(c.requestStarted()).isTrue();

    registry.flushAll(DeletionCause.LOGIN);

    assertThat(announced).as("no GOAWAY before the response").hasValue(0);
    assertThat(ended).hasValue(0);
    assertThat(c.isEnding()).isTrue();
    assertThat(c.requestStarted()).as("a stream opened meanwhile is refused").isFalse();
    assertThat(c.requestEnded()).isTrue();
    assertThat(c.requestEnded()).as("the login's end ends the connection").isTrue();
    assertThat(c.requestsInProgress()).isZero();
    assertThat(announced).hasValue(0);
    assertThat(ended).as("the container ends it after the response, not through close()")
        .hasValue(0);
  }

  @Test
  void endAfterRequests_withNoRequestInFlight_endsAtOnce_andOnlyOnce() throws Exception {
    TlsConnection c = connection();
    c.requestStarted();
    c.requestEnded();

    c.endAfterRequests();
    c.endAfterRequests();

    assertThat(ended).hasValue(1);
    assertThat(c.requestStarted()).isFalse();
    assertThat(c.requestEnded()).isTrue();
    assertThat(registry.associations()).as("the SA lives on").hasSize(1);
    TlsConnection closed = connection();
    closed.closed();
    closed.endAfterRequests();
    assertThat(ended).as("a closed connection is not ended again").hasValue(1);
  }

  @Test
  void loginOnOneStream_whileAnotherRuns_stateStaysTheUser_andTheConnectionEndsAfterBoth()
      throws Exception {
    TlsConnection c = connection();
    Stream five = new Stream(c, null);
    Stream three = new Stream(c, "alice");

    assertThat(five.start()).isTrue();
    assertThat(c.login()).isEqualTo(ConnectionLogin.ANONYMOUS);
    assertThat(three.start()).isTrue();

    assertThat(c.login().name()).isEqualTo("alice");
    assertThat(registry.stats().deletedByCause()).containsEntry(DeletionCause.LOGIN, 1L);
    assertThat(c.isEnding()).isTrue();
    assertThat(ended).as("streams in flight: no end yet").hasValue(0);
    assertThat(c.requestStarted()).as("a stream after the flush is refused").isFalse();
    assertThat(c.requestEnded()).isTrue();

    assertThat(five.end()).as("stream 5 finishes; the connection ends after it").isTrue();
    assertThat(c.login().name()).as("stream 5's end does not undo the login").isEqualTo("alice");
    assertThat(three.end()).isTrue();
    assertThat(c.requestsInProgress()).isZero();
    assertThat(ended).as("the container ended it after the responses, not through close()")
        .hasValue(0);
  }

  @Test
  void logoutOnOneStream_whileTheUsersOtherStreamRuns_isNotUndoneByIt() throws Exception {
    TlsConnection c = connection();
    Stream first = new Stream(c, "alice");
    first.start();
    first.end();
    assertThat(registry.stats().deletedByCause()).containsEntry(DeletionCause.LOGIN, 1L);
    TlsConnection next = connection();
    Stream running = new Stream(next, "alice");
    Stream logout = new Stream(next, "alice");
    running.start();
    logout.start();
    assertThat(registry.stats().deletedByCause()).as("alice's credentials again: no new login")
        .containsEntry(DeletionCause.LOGIN, 1L);

    logout.flow.wrap(logout.request).logout();
    logout.user = null;
    assertThat(next.login()).isEqualTo(ConnectionLogin.ANONYMOUS);
    running.end();
    logout.end();

    assertThat(next.login()).as("the running stream's end logs nobody in again")
        .isEqualTo(ConnectionLogin.ANONYMOUS);
    assertThat(registry.stats().deletedByCause()).containsEntry(DeletionCause.LOGIN, 1L)
        .containsEntry(DeletionCause.LOGOUT, 1L);
  }

  @Test
  void loginOnAnotherStream_betweenAStreamsDecisionAndItsChange_isSeenNotOverwritten()
      throws Exception {
    TlsConnection c = connection();
    Stream bob = new Stream(c, "bob");
    Stream alice = new Stream(c, null);
    alice.start();
    // The application logs alice in; while her stream decides, bob's stream logs in.
    alice.users.whileDeciding = () -> {
      try {
        bob.start();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    };
    alice.user = "alice";
    alice.flow.wrap(alice.request).login("alice", "secret");

    assertThat(c.login().name()).isEqualTo("alice");
    assertThat(alice.events).as("bob's login was seen: a change, not a second login")
        .containsExactly("change bob alice");
    assertThat(bob.events).containsExactly("login bob");
    alice.end();
    bob.end();
  }

  @Test
  void sameCredentialsOnManyStreamsAtOnce_logInOncePerConnection() throws Exception {
    int streams = 8;
    int rounds = 200;
    ExecutorService pool = Executors.newFixedThreadPool(streams);
    try {
      for (int round = 0; round < rounds; round++) {
        TlsConnection c = connection();
        CyclicBarrier together = new CyclicBarrier(streams);
        List<Future<Boolean>> started = new ArrayList<>();
        for (int i = 0; i < streams; i++) {
          started.add(pool.submit(() -> {
            Stream s = new Stream(c, "alice");
            together.await();
            boolean admitted = s.start();
            s.end();
            return admitted;
          }));
        }
        for (Future<Boolean> f : started) {
          f.get();
        }
        assertThat(c.login().name()).isEqualTo("alice");
        c.closed();
        registry.policies().logout(PEER, null, "alice", r -> false);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(registry.stats().deletedByCause().get(DeletionCause.LOGIN))
        .as("one login per connection, whatever the interleaving").isEqualTo(rounds);
  }

  /** One stream: a request through {@link LoginFlow} on the shared connection. */
  private final class Stream {
    final TlsConnection connection;
    final Map<String, Object> attributes = new ConcurrentHashMap<>();
    final HttpServletRequest request;
    final HttpServletResponse response;
    volatile String user;
    final Users users = new Users();
    final List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
    LoginFlow flow;
    boolean admitted;

    Stream(TlsConnection connection, String user) {
      this.connection = connection;
      this.user = user;
      boolean credentials = user != null;
      request = (HttpServletRequest) Proxy.newProxyInstance(getClass().getClassLoader(),
          new Class<?>[] {HttpServletRequest.class}, (proxy, method, args) -> switch (method.getName()) {
            case "getUserPrincipal" -> this.user == null ? null : (Principal) () -> this.user;
            case "getRemoteUser" -> this.user;
            case "getHeader" -> credentials && "Authorization".equals(args[0]) ? "Basic x" : null;
            case "getAttribute" -> attributes.get((String) args[0]);
            case "setAttribute" -> attributes.put((String) args[0], args[1]);
            case "removeAttribute" -> attributes.remove((String) args[0]);
            case "getRemoteAddr" -> PEER;
            case "getProtocol" -> "HTTP/2.0";
            case "logout", "login" -> null;
            case "hashCode" -> System.identityHashCode(proxy);
            case "equals" -> proxy == args[0];
            default -> throw new UnsupportedOperationException(method.getName());
          });
      response = (HttpServletResponse) Proxy.newProxyInstance(getClass().getClassLoader(),
          new Class<?>[] {HttpServletResponse.class}, (proxy, method, args) -> {
            if (method.getName().equals("isCommitted")) {
              return false;
            }
            return null;
          });
    }

    /** The stream reaches the application: counted, then its flow decides; false if refused. */
    boolean start() throws Exception {
      admitted = connection.requestStarted();
      if (!admitted) {
        return false;
      }
      Lease lease = connection.lease();
      flow = new LoginFlow(registry, connection, lease, request, response, users,
          new LoginFlow.Events() {
            @Override
            public void login(String name) {
              events.add("login " + name);
            }

            @Override
            public void logout(String name) {
              events.add("logout " + name);
            }

            @Override
            public void changed(String from, String to) {
              events.add("change " + from + " " + to);
            }
          });
      return flow.admit();
    }

    /** The stream's response is complete; returns whether the connection must end now. */
    boolean end() {
      if (flow != null) {
        flow.end();
      }
      return connection.requestEnded();
    }
  }

  /** No HTTP session; every user has no role. */
  private static final class Users implements LoginFlow.Container {
    /** Runs once, the first time the flow asks for a user's roles: while it decides. */
    volatile Runnable whileDeciding;

    @Override
    public Principal sessionUser() {
      return null;
    }

    @Override
    public Predicate<String> roles(Principal user) {
      Runnable hook = whileDeciding;
      whileDeciding = null;
      if (hook != null) {
        hook.run();
      }
      return role -> false;
    }

    @Override
    public void closeAfterResponse() {
    }
  }
}
