package dev.tether.cluster.redis;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A cluster node in a JVM of its own, for {@link NodeProcess}: {@code NodeMain jetty|tomcat NODE URI
 * ACK_MILLIS} starts the node, prints {@code PORT n}, and stops when its standard input ends.
 */
public final class NodeMain {
  private NodeMain() {
  }

  public static void main(String[] args) throws Exception {
    Duration ack = Duration.ofMillis(Long.parseLong(args[3]));
    NodeServer node = args[0].equals("tomcat")
        ? NodeServer.tomcat(args[1], args[2], ack)
        : NodeServer.jetty(args[1], args[2], b -> b.ackTimeout(ack));
    System.out.println("PORT " + node.port);
    System.out.flush();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    while (in.readLine() != null) {
      // Until the parent closes the pipe (or dies).
    }
    node.close();
  }
}
