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
