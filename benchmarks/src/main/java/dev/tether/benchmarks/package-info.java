/**
 * Benchmarks of Tether's registry (JMH), of the memory an SA costs, and (in {@code connections}) of
 * Jetty and Tomcat with and without Tether. They run outside the test suite:
 * {@code java -cp benchmarks/target/benchmarks.jar dev.tether.benchmarks.RegistrySuite}; see
 * docs/BENCHMARKS.md.
 */
package dev.tether.benchmarks;
