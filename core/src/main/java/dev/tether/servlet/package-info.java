/**
 * Portable servlet parts for any application running behind a Tether adapter: the request attributes
 * the adapters set ({@link dev.tether.servlet.TetherAttributes}), a filter that reports logins and
 * logouts to the policy engine and enforces the policies ({@link dev.tether.servlet.TetherLoginFilter},
 * with {@link dev.tether.servlet.Tether} for logins no container sees), a JSON view of the SA table
 * with manual flushes ({@link dev.tether.servlet.AssociationServlet}), and a filter that lets
 * monitors in with HTTP BASIC credentials next to a FORM login
 * ({@link dev.tether.servlet.RoleAccessFilter}). Nothing here depends on a particular container.
 */
package dev.tether.servlet;
