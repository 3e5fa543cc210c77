/** A call to an emulator's admin routes: JSON in and out; a refusal throws with the status and the body. */
export type AdminCall = (path: string, body?: unknown, method?: string) => Promise<any>

/** The admin client of an emulator at `baseUrl`: GET without a body, POST with one, unless `method` says. */
export function adminClient(baseUrl: string): AdminCall {
  return async (path, body, method = body === undefined ? 'GET' : 'POST') => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await response.text()
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`)
    return text ? JSON.parse(text) : undefined
  }
}
