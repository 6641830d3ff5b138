/**
 * TLS plumbing shared by the container adapters: choosing the JSSE provider (the JDK's, or Bouncy
 * Castle's when its jars are on the class path), checking that the server keeps sessions in its
 * stateful cache and answers a client's renegotiation with an alert, steering a new connection's
 * negotiation by policy, and following one connection.
 */
package dev.tether.tls;
