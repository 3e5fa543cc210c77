import type { Random } from '../shared/random.ts'
import { ascii, digits, fullName, oneOf, place, staffEmail, street } from './gens.ts'
import * as pools from './pools.ts'
import {
  bool,
  num,
  phone,
  select,
  systemProperty,
  text,
  type GenContext,
  type PropertyDef,
} from './property-kit.ts'

type Props = Record<string, string | null>

const stamps = (group: string) => [
  systemProperty('hs_createdate', 'Object create date/time', 'datetime', group),
  systemProperty('hs_lastmodifieddate', 'Object last modified date/time', 'datetime', group),
  systemProperty('hs_object_id', 'Record ID', 'number', group),
]

const div = 'division_information'

/** Divisions (custom object `2-37778609`): one per market the company sells in. */
export const DIVISION_PROPERTIES: readonly PropertyDef[] = [
  text('division_name', 'Division Name', div, place(0)),
  text('division_label', 'Division Label', div, place(0)),
  text('division_code', 'Division Code', div, (r) => r.chars(3, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ')),
  select('status', 'Status', div, ['active', 'inactive']),
  select('region', 'Region', div, pools.REGIONS),
  text('manager_name', 'Manager Name', div, fullName, 0.1),
  text('manager_email', 'Manager Email', div, staffEmail, 0.1),
  phone('phone', 'Phone', div, 0.1),
  text('address1', 'Address 1', div, street),
  text('address2', 'Address 2', div, (r) => `Suite ${r.int(100, 400)}`, 0.7),
  text('city', 'City', div, place(0)),
  text('state', 'State', div, place(1)),
  text('zip', 'Zip', div, place(2)),
  ...stamps(div),
]

/** the n-th division is the n-th market, so names are unique and the same for every seed */
export function divisionIdentity(index: number) {
  const place = pools.PLACES[index % pools.PLACES.length]
  const round = Math.floor(index / pools.PLACES.length)
  const name = round === 0 ? place[0] : `${place[0]} ${round + 1}`
  return { name, code: `${place[1]}${String(index + 1).padStart(2, '0')}`, place }
}

export function deriveDivision(props: Props, r: Random, _ctx: GenContext, index: number) {
  const { name, code, place } = divisionIdentity(index)
  props.division_name = name
  props.division_label = `${name} (${place[1]})`
  props.division_code = code
  props.city = place[0]
  props.state = place[1]
  props.zip = place[2]
  props.status = r.chance(0.85) ? 'active' : 'inactive'
}

const gu = 'genius_user_information'

/** Genius users (custom object `2-42119425`): the sales staff mirrored from the Genius CRM. */
export const GENIUS_USER_PROPERTIES: readonly PropertyDef[] = [
  text('name', 'Name', gu, fullName),
  text('email', 'Email', gu, staffEmail, 0.05),
  select('job_title', 'Job Title', gu, pools.JOB_TITLES, 0.1),
  num('title_id', 'Title ID', gu, digits(1, 40), 0.1),
  num('user_id', 'Genius User ID', gu, digits(1000, 99_999)),
  select('user_account_type', 'User Account Type', gu, ['standard', 'admin', 'manager', 'installer']),
  bool('user_status_inactive', 'Inactive', gu, 0.15),
  text('division', 'Division', gu, (r, ctx) => r.pick(ctx.divisions).name, 0.1),
  num('division_id', 'Division ID', gu, (r, ctx) => r.pick(ctx.divisions).id, 0.1),
  num('arrivy_user_id', 'Arrivy User ID', gu, digits(5_000_000_000, 6_999_999_999), 0.4),
  ...stamps(gu),
]

/** the email follows the name; the division id follows the division name */
export function deriveGeniusUser(props: Props, r: Random, ctx: GenContext) {
  const [first = '', last = ''] = (props.name ?? '').split(' ')
  if (props.email !== null) {
    props.email = `${ascii(first)[0] ?? 'x'}${ascii(last) || 'user'}${r.int(1, 999)}@homegenius.example`
  }
  const division = ctx.divisions.find((d) => d.name === props.division)
  if (props.division !== null && division) props.division_id = division.id
}

/** Owners (`/crm/v3/owners`) are not CRM objects; as records, the admin's mutate treats them alike. */
export const OWNER_PROPERTIES: readonly PropertyDef[] = [
  text('firstName', 'First Name', 'owner', oneOf(pools.FIRST_NAMES)),
  text('lastName', 'Last Name', 'owner', oneOf(pools.LAST_NAMES)),
  text('email', 'Email', 'owner', staffEmail),
  num('userId', 'User ID', 'owner', digits(1_000_000, 9_999_999)),
  select('team', 'Team', 'owner', pools.REGIONS, 0.3),
]

export function deriveOwner(props: Props, r: Random) {
  const first = ascii(props.firstName ?? '') || 'owner'
  const last = ascii(props.lastName ?? '') || 'x'
  props.email = `${first}.${last}${r.int(1, 99)}@homegenius.example`
}
