/** Plain HTTP to the HubSpot emulator's API with its token: the harness's own reads of the truth. */
export type HubSpotApi = (path: string, body?: unknown) => Promise<any>

export function hubSpotApi(env: Record<string, string>): HubSpotApi {
  return async (path, body) => {
    const response = await fetch(`${env.HUBSPOT_BASE_URL}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${env.HUBSPOT_API_TOKEN}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await response.text()
    if (!response.ok && response.status !== 207) {
      throw new Error(`HubSpot ${path}: ${response.status} ${text.slice(0, 200)}`)
    }
    return JSON.parse(text)
  }
}

export interface PropertyDefinition {
  name: string
  type: string
  modificationMetadata?: { readOnlyValue?: boolean }
}

export async function propertyDefinitions(api: HubSpotApi, type: string): Promise<PropertyDefinition[]> {
  return (await api(`/crm/v3/properties/${type}?archived=false`)).results
}

/** Every page of a list endpoint (objects or owners), following `paging.next.after`. */
export async function listAll(api: HubSpotApi, path: string, query: Record<string, string>): Promise<any[]> {
  const out: any[] = []
  let after: string | undefined
  do {
    const params = new URLSearchParams({ ...query, limit: '100', ...(after ? { after } : {}) })
    const page = await api(`${path}?${params}`)
    out.push(...page.results)
    after = page.paging?.next?.after
  } while (after)
  return out
}

/** Every link from `ids` (v4 batch read, 1,000 inputs a call, following each input's paging). */
export async function readLinks(api: HubSpotApi, from: string, to: string, ids: readonly string[]) {
  const links: { fromId: string; toObjectId: string | number; associationType: unknown }[] = []
  for (let start = 0; start < ids.length; start += 1000) {
    let inputs: { id: string; after?: string }[] = ids.slice(start, start + 1000).map((id) => ({ id }))
    while (inputs.length) {
      const answer = await api(`/crm/v4/associations/${from}/${to}/batch/read`, { inputs })
      const more: { id: string; after: string }[] = []
      for (const result of answer.results ?? []) {
        for (const link of result.to) {
          for (const type of link.associationTypes) {
            links.push({ fromId: result.from.id, toObjectId: link.toObjectId, associationType: type })
          }
        }
        if (result.paging?.next?.after) more.push({ id: result.from.id, after: result.paging.next.after })
      }
      inputs = more
    }
  }
  return links
}
