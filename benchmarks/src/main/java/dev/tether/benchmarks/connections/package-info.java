/**
 * The connection benchmark: Jetty and Tomcat, each with and without Tether, in server processes of
 * their own, loaded by a TLS client in another process ({@code h2load} or {@link
 * dev.tether.benchmarks.connections.TlsClient}) with one request per connection. The driver,
 * {@link dev.tether.benchmarks.connections.ConnectionBenchmark}, interleaves the variants and
 * reports connections per second and server CPU per connection; see docs/BENCHMARKS.md.
 */
package dev.tether.benchmarks.connections;
