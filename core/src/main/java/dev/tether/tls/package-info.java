/**
 * TLS plumbing shared by the container adapters: choosing the JSSE provider (the JDK's or Bouncy
 * Castle's), checking that the server keeps sessions in its stateful cache and answers a client's
 * renegotiation with an alert, and self-signed certificates for first starts and tests.
 */
package dev.tether.tls;
