import type { Random } from '../shared/random.ts'
import { ascii, companyName, digits, hex, letters, oneOf, place, price, street } from './gens.ts'
import * as pools from './pools.ts'
import {
  bool,
  date,
  multi,
  num,
  owner,
  phone,
  select,
  systemProperty,
  text,
  textarea,
  type GenContext,
  type PropertyDef,
} from './property-kit.ts'

const info = 'contactinformation'
const sales = 'sales_properties'
const lead = 'lead_information'

const LIFECYCLE = [
  'subscriber',
  'lead',
  'marketingqualifiedlead',
  'salesqualifiedlead',
  'opportunity',
  'customer',
  'evangelist',
  'other',
]
const LEAD_STATUS = [
  'NEW',
  'OPEN',
  'IN_PROGRESS',
  'OPEN_DEAL',
  'UNQUALIFIED',
  'ATTEMPTED_TO_CONTACT',
  'CONNECTED',
  'BAD_TIMING',
]
const SOURCE_OPTIONS = pools.LEAD_SOURCES.map((s) => [s.toLowerCase().replace(/\W+/g, '_'), s] as const)
const PRIMARY_SOURCES = ['digital', 'canvass', 'event', 'referral', 'traditional']
const SECONDARY_SOURCES = ['google', 'facebook', 'door_knock', 'home_show', 'radio', 'mailer']
const GENIUS_STATUS = ['new', 'contacted', 'appointment_set', 'sold', 'dead']

const randomEmail = (r: Random) => `${letters(r, 8)}@${r.pick(pools.EMAIL_DOMAINS)}`
const campaign = (r: Random) =>
  `${r.pick(['Spring', 'Summer', 'Fall', 'Winter'])} ${r.int(2022, 2026)} – ${r.pick(pools.SERVICES)}`
const certUrl = (r: Random) => `https://cert.trustedform.com/${hex(r, 40)}`
const refCode = (r: Random) => `REF-${r.chars(6, 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789')}`
const googleClickId = (r: Random) => `Cj0KCQ${r.chars(40)}`

/** Contact properties: HubSpot's standard ones plus the lead-tracking custom ones the portal adds. */
export const CONTACT_PROPERTIES: readonly PropertyDef[] = [
  text('firstname', 'First Name', info, oneOf(pools.FIRST_NAMES), 0.03),
  text('lastname', 'Last Name', info, oneOf(pools.LAST_NAMES), 0.02),
  // overwritten from the names in deriveContact, so the address matches the person
  text('email', 'Email', info, randomEmail, 0.05),
  phone('phone', 'Phone Number', info, 0.1),
  phone('mobilephone', 'Mobile Phone Number', info, 0.6),
  text('address', 'Street Address', info, street, 0.08),
  text('city', 'City', info, place(0), 0.05),
  text('state', 'State/Region', info, place(1), 0.05),
  text('zip', 'Postal Code', info, place(2), 0.07),
  text('company', 'Company Name', info, companyName, 0.7),
  select('lifecyclestage', 'Lifecycle Stage', info, LIFECYCLE),
  owner('hubspot_owner_id', 'Contact owner', sales, 0.2),
  select('hs_lead_status', 'Lead Status', sales, LEAD_STATUS, 0.3),
  text('division', 'Division', lead, (r, ctx) => r.pick(ctx.divisions).name, 0.1),
  select('lead_source', 'Lead Source', lead, SOURCE_OPTIONS, 0.1),
  select('hge_primary_source', 'HGE Primary Source', lead, PRIMARY_SOURCES, 0.2),
  select('hge_secondary_source', 'HGE Secondary Source', lead, SECONDARY_SOURCES, 0.5),
  text('original_lead_source', 'Original Lead Source', lead, oneOf(pools.LEAD_SOURCES), 0.3),
  text('marketsharp_id', 'MarketSharp ID', lead, (r) => `${hex(r, 8)}-${hex(r, 4)}`, 0.6),
  num('lead_salesrabbit_lead_id', 'SalesRabbit Lead ID', lead, digits(1_000_000, 99_999_999), 0.5),
  num('lead_id', 'Genius Lead ID', lead, digits(100_000, 2_999_999), 0.4),
  select('lead_status', 'Genius Lead Status', lead, GENIUS_STATUS, 0.4),
  num('price', 'Quoted Price', lead, price, 0.5),
  select('tier', 'Tier', lead, ['A', 'B', 'C', 'D'], 0.3),
  select('vertical', 'Vertical', lead, ['residential', 'commercial'], 0.2),
  bool('clickcheck', 'Click Check', lead, 0.3, 0.5),
  bool('do_not_call', 'Do Not Call', lead, 0.05, 0.2),
  textarea('comments', 'Comments', lead, oneOf(pools.COMMENTS), 0.4),
  text('campaign_name', 'Campaign Name', lead, campaign, 0.5),
  text('search_terms', 'Search Terms', lead, oneOf(pools.SEARCH_TERMS), 0.7),
  text('trustedform_cert_url', 'TrustedForm Cert URL', lead, certUrl, 0.6),
  text('reference_code', 'Reference Code', lead, refCode, 0.3),
  text('hs_google_click_id', 'Google ad click id', 'analyticsinformation', googleClickId, 0.8),
  date('appointment_date', 'Appointment Date', lead, 30, 0.5),
  multi('services_interested', 'Services Interested In', lead, pools.SERVICES, 0.2),
  systemProperty('createdate', 'Create Date', 'datetime', info),
  systemProperty('lastmodifieddate', 'Last Modified Date', 'datetime', info),
  systemProperty('hs_object_id', 'Record ID', 'number', info),
]

/** keeps one contact's fields consistent with each other: email from the name, a real city/state/zip */
export function deriveContact(props: Record<string, string | null>, r: Random, ctx: GenContext) {
  const first = ascii(props.firstname ?? '') || 'info'
  const last = ascii(props.lastname ?? '') || letters(r, 5)
  if (props.email !== null) {
    const local = r.pick([`${first}.${last}`, `${first[0]}${last}`, `${first}${last}${r.int(1, 99)}`])
    const domain = r.pick(pools.EMAIL_DOMAINS)
    let email = `${local}@${domain}`
    // HubSpot keeps one contact per email address
    for (let n = 2; ctx.taken.has(email); n++) email = `${local}${n}@${domain}`
    ctx.taken.add(email)
    // people type their addresses in capitals now and then; HubSpot keeps what they typed
    props.email = r.chance(0.02) ? email.toUpperCase() : email
  }
  const [city, state, zip] = r.pick(pools.PLACES)
  if (props.city !== null) props.city = city
  if (props.state !== null) props.state = state
  if (props.zip !== null) props.zip = zip
}
