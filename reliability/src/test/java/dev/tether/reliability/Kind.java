package dev.tether.reliability;

/** The containers every scenario runs in. */
enum Kind {
  JETTY {
    @Override
    Container start(Setup setup) throws Exception {
      return JettyContainer.start(setup);
    }
  },
  TOMCAT {
    @Override
    Container start(Setup setup) throws Exception {
      return TomcatContainer.start(setup);
    }
  };

  /** Starts this container with Tether and the test application. */
  abstract Container start(Setup setup) throws Exception;
}
