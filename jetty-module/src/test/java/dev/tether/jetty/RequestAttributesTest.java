package dev.tether.jetty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.AssociationRegistry;
import dev.tether.Lease;
import dev.tether.SecurityAssociation;
import dev.tether.servlet.TetherAttributes;
import dev.tether.tls.TlsConnection;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The Tether attributes of a request on a real Jetty: computed when read, they behave as stored
 * ones would: listed among the request's names, readable by the handlers, and an application may
 * replace or remove them for the rest of the request.
 */
class RequestAttributesTest {
  private TestServer server;
  private AssociationRegistry registry;

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.close();
    }
    if (registry != null) {
      registry.close();
    }
  }

  @Test
  void tetherAttributes_areListedAndRead_andAnApplicationMayReplaceOrRemoveThem() throws Exception {
    registry = AssociationRegistry.builder().name("attributes").build();
    server = new TestServer();
    server.server.setHandler(new Handler.Abstract() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) {
        StringBuilder body = new StringBuilder();
        body.append("names=").append(request.getAttributeNameSet().containsAll(java.util.List.of(
            TetherAttributes.REGISTRY, TetherAttributes.CONNECTION, TetherAttributes.LEASE,
            TetherAttributes.ASSOCIATION_ID, TetherAttributes.RESUMED)));
        Lease lease = (Lease) request.getAttribute(TetherAttributes.LEASE);
        body.append(";registry=").append(request.getAttribute(TetherAttributes.REGISTRY) == registry)
            .append(";connection=")
            .append(request.getAttribute(TetherAttributes.CONNECTION) instanceof TlsConnection)
            .append(";sa=").append(request.getAttribute(TetherAttributes.ASSOCIATION_ID))
            .append(";same=").append(lease.associationId()
                .equals(request.getAttribute(TetherAttributes.ASSOCIATION_ID)))
            .append(";resumed=").append(request.getAttribute(TetherAttributes.RESUMED));
        request.setAttribute(TetherAttributes.ASSOCIATION_ID, "replaced");
        request.removeAttribute(TetherAttributes.RESUMED);
        body.append(";after=").append(request.getAttribute(TetherAttributes.ASSOCIATION_ID))
            .append(',').append(request.getAttribute(TetherAttributes.RESUMED))
            .append(',').append(request.getAttributeNameSet().contains(TetherAttributes.RESUMED))
            .append(',').append(request.getAttribute(TetherAttributes.LEASE) == lease);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain");
        response.write(true, BufferUtil.toBuffer(body.append('\n').toString()), callback);
        return true;
      }
    });
    JettyTether.addToAllConnectors(server.server, registry);
    server.start();
    JdkTlsClient client = new JdkTlsClient(TestServer.CERT.clientContext(), server.port(),
        "TLSv1.3");

    try (JdkTlsClient.Conn conn = client.open()) {
      String second = conn.get();
      SecurityAssociation sa = registry.associations().get(0);
      assertThat(second).isEqualTo("names=true;registry=true;connection=true;sa=" + sa.id()
        + ";same=true;resumed=false;after=replaced,null,false,true\n");
    }
  }
}
