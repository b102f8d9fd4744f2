/**
 * 2.6.1-2.6.3 print their URLs as `/api/adMedia/get/{name}&access_token={apitoken}`: no `?`, so a client that
 * copied the manual sends its token inside the path. Such a URL (an /api path without a query whose path
 * holds `&access_token=` or `&acc_token=`) is read as if the first `&` were the `?`.
 */
export function fixPrintedQuery(url: string): string {
  if (!url.startsWith('/api/') || url.includes('?')) return url;
  const m = /&(?:access_token|acc_token)=/i.exec(url);
  if (!m) return url;
  const i = url.indexOf('&');
  return `${url.slice(0, i)}?${url.slice(i + 1)}`;
}

/**
 * Doubled slashes in an /api path (`/api//hep/transaction/monitor`, as 2.26.2's title prints it, or
 * `//api/...` from a base URL ending in `/` joined to a path starting with one) name the same endpoint, as the
 * servlet container behind CVSecurity reads them. Only the path is touched, never the query; device routes
 * are left as they are.
 */
export function collapseApiSlashes(url: string): string {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  if (!path.includes('//')) return url;
  const collapsed = path.replace(/\/{2,}/g, '/');
  if (!collapsed.startsWith('/api/')) return url;
  return q < 0 ? collapsed : collapsed + url.slice(q);
}

/**
 * A Java client whose HTTP layer rewrites URLs for its session (servlet-style URL rewriting) appends
 * `;jsessionid=<id>` to the path: `/api/accLevel/list;jsessionid=1A2B.node1?access_token=…`. The servlet
 * container behind CVSecurity takes it off before routing, so it names the same endpoint here. Only that path
 * parameter, only in an /api path, never in the query.
 */
export function stripSessionId(url: string): string {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  if (!path.startsWith('/api/') || !/;jsessionid=/i.test(path)) return url;
  const stripped = path.replace(/;jsessionid=[^/?&;#]*/gi, '');
  return q < 0 ? stripped : stripped + url.slice(q);
}
