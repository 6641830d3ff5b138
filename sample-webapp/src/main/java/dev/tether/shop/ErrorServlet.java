package dev.tether.shop;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** The shop's error page for 403, 404 and 500, in the shop's layout ({@code error-page} in web.xml). */
public class ErrorServlet extends HttpServlet {

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
    int status = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE) instanceof Integer s
        ? s : HttpServletResponse.SC_INTERNAL_SERVER_ERROR;
    String title;
    String message;
    switch (status) {
      case HttpServletResponse.SC_FORBIDDEN -> {
        title = "Not for you";
        message = "Your account has no access to this page.";
      }
      case HttpServletResponse.SC_NOT_FOUND -> {
        title = "Not found";
        message = "There is no such page in the shop.";
      }
      default -> {
        title = "Something went wrong";
        message = "The shop could not answer this request (status " + status + ").";
      }
    }
    Page.problem(request, response, status, title, message);
  }
}
