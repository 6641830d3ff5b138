package dev.tether.tomcat;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.List;
import javax.net.ssl.SSLEngine;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.util.ServerInfo;
import java.util.Map;
import org.apache.coyote.Adapter;
import org.apache.coyote.UpgradeToken;
import org.apache.coyote.http11.AbstractHttp11Protocol;
import org.apache.coyote.http11.upgrade.InternalHttpUpgradeHandler;
import org.apache.coyote.http11.upgrade.UpgradeGroupInfo;
import org.apache.coyote.http11.upgrade.UpgradeProcessorInternal;
import org.apache.coyote.http2.Http2Protocol;
import org.apache.tomcat.util.net.AbstractEndpoint;
import org.apache.tomcat.util.net.SSLSupport;
import org.apache.tomcat.util.net.jsse.JSSESupport;
import org.apache.tomcat.util.net.NioChannel;
import org.apache.tomcat.util.net.NioEndpoint;
import org.apache.tomcat.util.net.SSLUtilBase;
import org.apache.tomcat.util.net.SecureNioChannel;
import org.apache.tomcat.util.net.SocketBufferHandler;
import org.apache.tomcat.util.net.SocketEvent;
import org.apache.tomcat.util.net.SocketWrapperBase;
import org.junit.jupiter.api.Test;

/**
 * Fails loudly when Tomcat's internals that the protocol extends change. If this fails after a Tomcat
 * upgrade, re-read NioEndpoint (setSocketOptions, createChannel, SocketProcessor.doRun: when
 * CONNECT_FAIL is sent), SocketWrapperBase.close (release exactly once per socket, before doClose
 * recycles the channel), SecureNioChannel (reset, handshake, createSSLEngine, read) and
 * SSLUtilBase.getKeyManagers, and for HTTP/2 Http2Protocol.getProcessor, Http2UpgradeHandler.pause,
 * checkPauseState and timeoutAsync, AbstractProtocol's async timeout (waitingProcessors, once a
 * second) and AbstractProcessor.populateSslRequestAttributes (SESSION_MGR), then run this module's
 * tests and widen the tested range.
 *
 * <p>The range: this module's tests run on 11.0.27 (the build's version), the distribution tests
 * ({@code it/distributions}) on a Tomcat 11.0.24 distribution, and the hook points' sources are the
 * same from 11.0.22 (what Spring Boot 4.0.7 manages) to 11.0.25 apart from javadoc.
 */
class TomcatHookPointsTest {
  static final int OLDEST = 22;
  static final int NEWEST = 27;

  @Test
  void tomcatVersion_isInTheRangeTheHooksWereVerifiedOn() {
    String version = ServerInfo.getServerNumber();
    assertThat(version)
        .as("Tether's connector protocol subclasses Tomcat internals verified on 11.0.%d to"
            + " 11.0.%d; re-verify the hook points listed in TomcatHookPointsTest before widening"
            + " the range", OLDEST, NEWEST)
        .startsWith("11.0.");
    int patch = Integer.parseInt(version.split("\\.")[2]);
    assertThat(patch).isBetween(OLDEST, NEWEST);
  }

  @Test
  void endpointHooks_haveTheSignaturesTheProtocolOverrides() throws Exception {
    Method createChannel = NioEndpoint.class.getDeclaredMethod("createChannel",
        SocketBufferHandler.class);
    assertThat(Modifier.isProtected(createChannel.getModifiers())).isTrue();
    assertThat(createChannel.getReturnType()).isEqualTo(NioChannel.class);
    Method setHandler = AbstractEndpoint.class.getMethod("setHandler", AbstractEndpoint.Handler.class);
    assertThat(Modifier.isFinal(setHandler.getModifiers())).isFalse();
    Method process = AbstractEndpoint.Handler.class.getMethod("process", SocketWrapperBase.class,
        SocketEvent.class);
    assertThat(process).isNotNull();
    assertThat(AbstractEndpoint.Handler.class.getMethod("release", SocketWrapperBase.class))
        .isNotNull();
    assertThat(SocketEvent.valueOf("CONNECT_FAIL")).isNotNull();
    assertThat(SocketWrapperBase.class.getMethod("getSocket")).isNotNull();
  }

  @Test
  void channelHooks_haveTheSignaturesTheProtocolOverrides() throws Exception {
    Class<?> wrapper = Class.forName("org.apache.tomcat.util.net.NioEndpoint$NioSocketWrapper");
    assertThat(SecureNioChannel.class.getMethod("reset", SocketChannel.class, wrapper)).isNotNull();
    assertThat(SecureNioChannel.class.getMethod("handshake", boolean.class, boolean.class)
        .getReturnType()).isEqualTo(int.class);
    assertThat(SecureNioChannel.class.getMethod("read", ByteBuffer.class)).isNotNull();
    Method createEngine = SecureNioChannel.class.getDeclaredMethod("createSSLEngine", String.class,
        List.class, List.class, List.class, List.class, List.class);
    assertThat(Modifier.isProtected(createEngine.getModifiers())).isTrue();
    for (String name : List.of("sslEngine", "handshakeComplete", "netInBuffer", "netOutBuffer")) {
      Field f = SecureNioChannel.class.getDeclaredField(name);
      assertThat(Modifier.isProtected(f.getModifiers())).as(name).isTrue();
    }
    // Where Tether sends the JDK's alert for a refused renegotiation.
    assertThat(Modifier.isProtected(SecureNioChannel.class.getDeclaredMethod("flush",
        ByteBuffer.class).getModifiers())).isTrue();
    assertThat(SecureNioChannel.class.getDeclaredField("sslEngine").getType())
        .isEqualTo(SSLEngine.class);
  }

  @Test
  void requestAndHttp2Hooks_haveTheSignaturesTetherUses() throws Exception {
    // The connection travels to every processor (HTTP/1.1 and each HTTP/2 stream) in the channel's
    // SSLSupport, which Tomcat casts to JSSESupport for a client-certificate renegotiation.
    Method sslSupport = SecureNioChannel.class.getMethod("getSSLSupport");
    assertThat(Modifier.isFinal(sslSupport.getModifiers())).isFalse();
    assertThat(sslSupport.getReturnType()).isEqualTo(SSLSupport.class);
    assertThat(SSLSupport.SESSION_MGR).isEqualTo("jakarta.servlet.request.ssl_session_mgr");
    assertThat(JSSESupport.class.getConstructor(javax.net.ssl.SSLSession.class, Map.class))
        .isNotNull();
    // An h2 connection's processor: made as Http2Protocol.getProcessor makes it, ended with pause()
    // (the graceful GOAWAY) and closed through timeoutAsync once no stream is active.
    Method negotiated = AbstractHttp11Protocol.class.getMethod("getNegotiatedProtocol",
        String.class);
    assertThat(Modifier.isFinal(negotiated.getModifiers())).isFalse();
    assertThat(Http2Protocol.class.getMethod("getInternalUpgradeHandler", SocketWrapperBase.class,
        Adapter.class, org.apache.coyote.Request.class)).isNotNull();
    assertThat(Http2Protocol.class.getMethod("getUpgradeProtocolName")).isNotNull();
    assertThat(UpgradeProcessorInternal.class.getConstructor(SocketWrapperBase.class,
        UpgradeToken.class, UpgradeGroupInfo.class)).isNotNull();
    assertThat(Modifier.isFinal(UpgradeProcessorInternal.class.getMethod("timeoutAsync", long.class)
        .getModifiers())).isFalse();
    assertThat(InternalHttpUpgradeHandler.class.getMethod("pause")).isNotNull();
  }

  @Test
  void sslUtilAndWrappingHooks_areStillThere() throws Exception {
    assertThat(Modifier.isProtected(SSLUtilBase.class.getDeclaredMethod(
        "createSSLContextInternal", List.class).getModifiers())).isTrue();
    assertThat(Request.class.getMethod("setRequest", jakarta.servlet.http.HttpServletRequest.class))
        .isNotNull();
    assertThat(Response.class.getMethod("setResponse",
        jakarta.servlet.http.HttpServletResponse.class)).isNotNull();
  }
}
