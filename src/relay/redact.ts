/**
 * URLs as they may appear in logs: notification targets carry credentials in their path
 * (Slack's `hooks.slack.com/services/T…/B…/<token>`), their query (`?token=`, `?sig=`) or
 * their user-info. Keep what identifies the target (scheme, host, port, the first path
 * segment) and hide the rest.
 */
export function redactUrl(raw: string): string {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return '[unparseable URL]'
  }
  const segments = url.pathname.split('/').filter(Boolean)
  const path = segments.length === 0 ? '/' : `/${segments[0]}${segments.length > 1 ? '/***' : ''}`
  const auth = url.username || url.password ? '***@' : ''
  const query = url.search ? '?***' : ''
  return `${url.protocol}//${auth}${url.host}${path}${query}`
}

/** `text` with every occurrence of `url` (and its parts that carry secrets) replaced by its redacted form. */
export function redactIn(text: string, url: string): string {
  let out = text.split(url).join(redactUrl(url))
  try {
    const parsed = new URL(url)
    const secrets = [
      parsed.password,
      parsed.username,
      ...parsed.pathname.split('/').slice(2),
      ...[...parsed.searchParams.values()],
    ].filter((part) => part.length >= 6)
    for (const secret of secrets) out = out.split(secret).join('***')
  } catch {
    // Not a URL: nothing more to hide.
  }
  return out
}
