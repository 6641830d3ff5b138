/**
 * Benchmarks of Tether's registry (JMH) and of the memory an SA costs. They run outside the test
 * suite: {@code mvn -B -q -pl benchmarks -am -DskipTests package && java -jar benchmarks/target/benchmarks.jar}.
 */
package dev.tether.benchmarks;
