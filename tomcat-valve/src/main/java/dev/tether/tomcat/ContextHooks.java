package dev.tether.tomcat;

import org.apache.catalina.Container;
import org.apache.catalina.ContainerEvent;
import org.apache.catalina.ContainerListener;
import org.apache.catalina.Context;
import org.apache.catalina.Lifecycle;
import org.apache.catalina.LifecycleEvent;
import org.apache.catalina.LifecycleListener;
import org.apache.catalina.Pipeline;
import org.apache.catalina.Valve;

/**
 * Puts a {@link TomcatPolicyCheck} at the end of every web application's pipeline below a container
 * (Engine or Host), after the authenticator that {@code ContextConfig} adds while the context starts:
 * into the contexts started already, and, through container and lifecycle listeners, into those
 * deployed or restarted later.
 *
 * <p>Threading: Tomcat's lifecycle threads; the pipelines change only while a context starts, or when
 * the valve starts, before the connectors accept requests.
 */
final class ContextHooks implements ContainerListener, LifecycleListener {
  private Container root;

  /** Hooks every context below {@code container}, now and later. */
  void attach(Container container) {
    root = container;
    walk(container, true);
  }

  /** Stops following new contexts; checks in place stay, and let untracked requests through. */
  void detach() {
    if (root != null) {
      walk(root, false);
      root = null;
    }
  }

  private void walk(Container container, boolean attach) {
    if (container instanceof Context context) {
      if (attach) {
        context.addLifecycleListener(this);
        if (context.getState().isAvailable()) {
          install(context);
        }
      } else {
        context.removeLifecycleListener(this);
      }
      return;
    }
    if (attach) {
      container.addContainerListener(this);
    } else {
      container.removeContainerListener(this);
    }
    for (Container child : container.findChildren()) {
      walk(child, attach);
    }
  }

  @Override
  public void containerEvent(ContainerEvent event) {
    if (Container.ADD_CHILD_EVENT.equals(event.getType()) && event.getData() instanceof Container c) {
      walk(c, true);
    } else if (Container.REMOVE_CHILD_EVENT.equals(event.getType())
        && event.getData() instanceof Container c) {
      walk(c, false);
    }
  }

  @Override
  public void lifecycleEvent(LifecycleEvent event) {
    if (Lifecycle.AFTER_START_EVENT.equals(event.getType()) && event.getLifecycle() instanceof Context c) {
      install(c);
    }
  }

  /** Makes the check the last valve before the context's basic valve, after its authenticator. */
  private static void install(Context context) {
    Pipeline pipeline = context.getPipeline();
    Valve last = null;
    for (Valve v = pipeline.getFirst(); v != null && v != pipeline.getBasic(); v = v.getNext()) {
      last = v;
    }
    if (last instanceof TomcatPolicyCheck) {
      return;
    }
    for (Valve v : pipeline.getValves()) {
      if (v instanceof TomcatPolicyCheck) {
        pipeline.removeValve(v);
      }
    }
    TomcatPolicyCheck check = new TomcatPolicyCheck();
    // Linked to the basic valve before it is published, so no request sees it without a next.
    check.setNext(pipeline.getBasic());
    pipeline.addValve(check);
  }
}
