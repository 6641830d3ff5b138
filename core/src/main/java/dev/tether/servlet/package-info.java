/**
 * Portable servlet parts for any application running behind a Tether adapter: the request attributes
 * the adapters set ({@link dev.tether.servlet.TetherAttributes}), a filter that reports logins and
 * logouts to the policy engine and enforces the policies ({@link dev.tether.servlet.TetherLoginFilter},
 * with {@link dev.tether.servlet.Tether} for logins no container sees), and a JSON view of the SA
 * table with manual flushes ({@link dev.tether.servlet.AssociationServlet}). Nothing here depends on
 * a particular container.
 */
package dev.tether.servlet;
