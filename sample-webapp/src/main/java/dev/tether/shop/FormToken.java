package dev.tether.shop;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The anti-forgery token of the shop's forms: a random value kept in the HTTP session and sent back
 * as the hidden field {@value #PARAMETER}. A form post without the session's token is refused (403),
 * so another site cannot make a visitor's browser add to the cart, check out or log out.
 *
 * <p>Thread-safe; the token lives as long as the session (a login keeps it: containers change the
 * session id, not its attributes).
 */
public final class FormToken {
  /** The name of the hidden form field. */
  public static final String PARAMETER = "token";
  private static final String ATTRIBUTE = FormToken.class.getName();
  private static final SecureRandom RANDOM = new SecureRandom();

  private FormToken() {
  }

  /** Returns the session's token, creating the session and the token if needed. */
  public static String of(HttpServletRequest request) {
    HttpSession session = request.getSession(true);
    synchronized (session) {
      String token = (String) session.getAttribute(ATTRIBUTE);
      if (token == null) {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        session.setAttribute(ATTRIBUTE, token);
      }
      return token;
    }
  }

  /** Returns the hidden input carrying the token. */
  public static String field(HttpServletRequest request) {
    return "<input type=\"hidden\" name=\"" + PARAMETER + "\" value=\"" + of(request) + "\">";
  }

  /** Returns whether the request carries its session's token. */
  public static boolean isValid(HttpServletRequest request) {
    HttpSession session = request.getSession(false);
    String sent = request.getParameter(PARAMETER);
    if (session == null || sent == null) {
      return false;
    }
    String expected = (String) session.getAttribute(ATTRIBUTE);
    return expected != null && MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
        sent.getBytes(StandardCharsets.US_ASCII));
  }
}
