/**
 * What the harness knows about each source, written down independently of crmsync's connectors
 * (so a connector that forgets a stream or renames a key shows up as a failure, not as agreement):
 * the streams, their warehouse keys, the emulator table a stream reads, and the lookback within
 * which a late or skewed change must still be caught (the connectors' defaults, DESIGN.md §3.3).
 */
export const SOURCE_NAMES = ['salespro', 'hubspot', 'salesrabbit'] as const
export type SourceName = (typeof SOURCE_NAMES)[number]

export interface StreamInfo {
  /** the warehouse primary key, in order */
  primaryKey: readonly string[]
  /** keyless append-only log: compared as a multiset of contents */
  keyless?: boolean
}

export interface SourceInfo {
  streams: Readonly<Record<string, StreamInfo>>
  lookbackSeconds: number
}

const one = (key: string): StreamInfo => ({ primaryKey: [key] })
const link: StreamInfo = { primaryKey: ['from_id', 'to_id', 'association_type_id'] }

export const CATALOG: Readonly<Record<SourceName, SourceInfo>> = {
  salespro: {
    lookbackSeconds: 3600,
    streams: {
      customer: one('customer_id'),
      estimate: one('estimate_id'),
      credit_application: one('leap_credit_app_id'),
      lead_result: one('estimate_id'),
      lead_result_line_item: { primaryKey: ['estimate_id', 'job_type_number'] },
      payment: one('payment_id'),
      user_activity: { primaryKey: ['activity_key'], keyless: true },
    },
  },
  hubspot: {
    lookbackSeconds: 600,
    streams: {
      contacts: one('id'),
      companies: one('id'),
      deals: one('id'),
      appointments: one('id'),
      divisions: one('id'),
      genius_users: one('id'),
      owners: one('id'),
      assoc_contact_appointment: link,
      assoc_contact_division: link,
      assoc_deal_contact: link,
      assoc_deal_company: link,
    },
  },
  salesrabbit: {
    lookbackSeconds: 3600,
    streams: { leads: one('id'), users: one('id') },
  },
}

export const streamsOf = (source: SourceName) => Object.keys(CATALOG[source].streams)

/** SalesPro: the Athena table behind each stream (two streams read lead_results). */
export const SALESPRO_TABLES: Readonly<Record<string, string>> = {
  customer: 'customer',
  estimate: 'estimate',
  credit_application: 'credit_applications',
  lead_result: 'lead_results',
  lead_result_line_item: 'lead_results',
  payment: 'payments',
  user_activity: 'user_activity',
}

export const SALESPRO_KEYS: Readonly<Record<string, string>> = {
  customer: 'customer_id',
  estimate: 'estimate_id',
  credit_applications: 'leap_credit_app_id',
  lead_results: 'estimate_id',
  payments: 'payment_id',
}

/** HubSpot: object streams by objectTypeId, and the association streams crmsync syncs by default. */
export const HUBSPOT_OBJECTS: Readonly<Record<string, string>> = {
  contacts: '0-1',
  companies: '0-2',
  deals: '0-3',
  appointments: '0-421',
  divisions: '2-37778609',
  genius_users: '2-42119425',
}

/** HubSpot: the columns every object stream has besides its properties (a property named so takes another name) */
export const HUBSPOT_OBJECT_COLUMNS = ['id', 'created_at', 'updated_at', 'archived', 'archived_at']

export const HUBSPOT_LINKS: Readonly<Record<string, { from: string; to: string }>> = {
  assoc_contact_appointment: { from: 'contacts', to: '0-421' },
  assoc_contact_division: { from: 'contacts', to: '2-37778609' },
  assoc_deal_contact: { from: 'deals', to: 'contacts' },
  assoc_deal_company: { from: 'deals', to: 'companies' },
}

/** The separator crmsync joins composite keys with (and so does the harness, to compare them). */
export const KEY_SEPARATOR = '\u001f'
