/**
 * 2.6.1-2.6.3 print their URLs as `/api/adMedia/get/{name}&access_token={apitoken}`: no `?`, so a client that
 * copied the manual sends its token inside the path. Such a URL (an /api path without a query whose path
 * holds `&access_token=` or `&acc_token=`) is read as if the first `&` were the `?`.
 */
export function fixPrintedQuery(url: string): string {
  if (!url.startsWith('/api/') || url.includes('?')) return url;
  const m = /&(?:access_token|acc_token)=/.exec(url);
  if (!m) return url;
  const i = url.indexOf('&');
  return `${url.slice(0, i)}?${url.slice(i + 1)}`;
}
