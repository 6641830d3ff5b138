package dev.tether.tomcat;

import dev.tether.servlet.LoginFlow;
import jakarta.servlet.ServletException;
import java.io.IOException;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;

/**
 * The second half of {@link TomcatTetherValve}, in each web application's pipeline right after its
 * authenticator: there the request's user is known and the application has not run yet, so a login
 * done by the authenticator (BASIC, CLIENT-CERT) is reported, and a request whose user's policy does
 * not accept the connection's SA is refused with 421 before the application can act on it.
 *
 * <p>The engine-level valve installs it (see {@link ContextHooks}) and hands it the request's
 * {@link LoginFlow} as a request note; requests the valve did not track pass untouched.
 * Stateless and thread-safe.
 */
final class TomcatPolicyCheck extends ValveBase {
  TomcatPolicyCheck() {
    super(true);
  }

  @Override
  public void invoke(Request request, Response response) throws IOException, ServletException {
    if (request.getNote(TomcatTetherValve.FLOW_NOTE) instanceof LoginFlow flow && !flow.admit()) {
      return;
    }
    getNext().invoke(request, response);
  }
}
