package dev.tether.boot;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains why Tether stopped the start in Spring Boot's failure report ("APPLICATION FAILED TO
 * START"): the property or JVM flag, its value, and what to change.
 */
final class TetherFailureAnalyzer extends AbstractFailureAnalyzer<TetherConfigurationException> {

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, TetherConfigurationException cause) {
    return new FailureAnalysis("Tether cannot start: " + cause.getMessage(), cause.action(), cause);
  }
}
