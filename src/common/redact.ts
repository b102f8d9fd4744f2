const SECRET_QUERY_KEYS = /([?&](?:access_token|acc_token|api-key|apikey|token|commkey)=)[^&#]*/gi;

/** Tokens travel in URLs, so every URL that reaches a log goes through this first. */
export function redactUrl(url: string): string {
  return url.replace(SECRET_QUERY_KEYS, '$1[REDACTED]');
}
