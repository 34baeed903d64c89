/**
 * Human descriptions of why an HTTP request failed (fetch's `TypeError: fetch failed` hides
 * the reason in `cause`, sometimes inside an AggregateError when a name has several addresses).
 */

/** The first errno-style code (ECONNREFUSED, ENOTFOUND...) found in an error's cause chain. */
export function errorCode(err: unknown): string | undefined {
  const seen = new Set<unknown>();
  const queue: unknown[] = [err];
  while (queue.length) {
    const e = queue.shift();
    if (!e || typeof e !== 'object' || seen.has(e)) continue;
    seen.add(e);
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code) return code;
    queue.push((e as { cause?: unknown }).cause);
    const errors = (e as { errors?: unknown }).errors;
    if (Array.isArray(errors)) queue.push(...errors);
  }
  return undefined;
}

/**
 * "connection refused on localhost:5000", "host not found: example.invalid", ... `target` is
 * the `host:port` the request went to.
 */
export function describeFetchError(err: unknown, target: string): string {
  const code = errorCode(err);
  switch (code) {
    case 'ECONNREFUSED':
      return `connection refused on ${target}`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `host not found: ${target.replace(/:\d+$/, '')}`;
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return `connection closed by ${target} without an HTTP answer`;
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return `connection to ${target} timed out`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `${target} is unreachable (${code})`;
    case 'ERR_SSL_WRONG_VERSION_NUMBER':
    case 'EPROTO':
      return `TLS handshake with ${target} failed (is it plain HTTP?)`;
    default: {
      const cause = (err as { cause?: { message?: string } })?.cause?.message;
      const msg = err instanceof Error ? err.message : String(err);
      return `request to ${target} failed: ${cause && cause !== msg ? `${msg} (${cause})` : msg}${code ? ` [${code}]` : ''}`;
    }
  }
}

/** `host:port` of a URL, with the scheme's default port made explicit. */
export function hostPort(url: URL): string {
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return `${url.hostname.includes(':') ? `[${url.hostname.replace(/^\[|\]$/g, '')}]` : url.hostname}:${port}`;
}
