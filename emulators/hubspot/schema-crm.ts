import type { Random } from '../shared/random.ts'
import { companyName, digits, letters, oneOf, place, price, street } from './gens.ts'
import * as pools from './pools.ts'
import {
  bool,
  datetime,
  DAY,
  isoMs,
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

const stamps = (group: string) => [
  systemProperty('hs_createdate', 'Object create date/time', 'datetime', group),
  systemProperty('hs_lastmodifieddate', 'Object last modified date/time', 'datetime', group),
  systemProperty('hs_object_id', 'Record ID', 'number', group),
]
const division = (r: Random, ctx: GenContext) => r.pick(ctx.divisions).name
const comment = oneOf(pools.COMMENTS)

const co = 'companyinformation'
const INDUSTRIES = [
  'CONSTRUCTION',
  'BUILDING_MATERIALS',
  'REAL_ESTATE',
  'FACILITIES_SERVICES',
  'ARCHITECTURE_PLANNING',
]

export const COMPANY_PROPERTIES: readonly PropertyDef[] = [
  text('name', 'Company name', co, companyName),
  text('domain', 'Company Domain Name', co, (r) => `${letters(r, 7)}.com`, 0.2),
  phone('phone', 'Phone Number', co, 0.2),
  text('address', 'Street Address', co, street, 0.2),
  text('city', 'City', co, place(0), 0.1),
  text('state', 'State/Region', co, place(1), 0.1),
  text('zip', 'Postal Code', co, place(2), 0.15),
  select('industry', 'Industry', co, INDUSTRIES, 0.3),
  num('numberofemployees', 'Number of Employees', co, digits(1, 500), 0.4),
  num('annualrevenue', 'Annual Revenue', co, (r) => String(r.int(50, 50_000) * 1000), 0.5),
  textarea('description', 'Description', co, comment, 0.6),
  select('lifecyclestage', 'Lifecycle Stage', co, ['lead', 'opportunity', 'customer', 'other']),
  bool('is_public', 'Is Public', co, 0.05, 0.5),
  owner('hubspot_owner_id', 'Company owner', co, 0.3),
  text('division', 'Division', co, division, 0.3),
  systemProperty('createdate', 'Create Date', 'datetime', co),
  ...stamps(co),
]

/** value, label, probability */
const STAGES = [
  ['appointmentscheduled', 'Appointment Scheduled', '0.2'],
  ['qualifiedtobuy', 'Qualified To Buy', '0.4'],
  ['presentationscheduled', 'Presentation Scheduled', '0.6'],
  ['decisionmakerboughtin', 'Decision Maker Bought-In', '0.8'],
  ['contractsent', 'Contract Sent', '0.9'],
  ['closedwon', 'Closed Won', '1'],
  ['closedlost', 'Closed Lost', '0'],
] as const

const deal = 'dealinformation'
const dealName = (r: Random) =>
  `${r.pick(pools.LAST_NAMES)} – ${r.pick(pools.SERVICES)} ${r.pick(['replacement', 'repair', 'install'])}`

export const DEAL_PROPERTIES: readonly PropertyDef[] = [
  text('dealname', 'Deal Name', deal, dealName),
  num('amount', 'Amount', deal, price, 0.15),
  datetime('closedate', 'Close Date', deal, 120, 0.3),
  select('dealstage', 'Deal Stage', deal, STAGES.map(([value, label]) => [value, label] as const)),
  select('pipeline', 'Pipeline', deal, [['default', 'Sales Pipeline']]),
  select('dealtype', 'Deal Type', deal, ['newbusiness', 'existingbusiness'], 0.3),
  textarea('description', 'Deal Description', deal, comment, 0.6),
  owner('hubspot_owner_id', 'Deal owner', deal, 0.1),
  text('division', 'Division', deal, division, 0.2),
  select('hs_priority', 'Priority', deal, ['low', 'medium', 'high'], 0.5),
  bool('hs_is_closed_won', 'Is Closed Won', deal, 0.2),
  num('hs_deal_stage_probability', 'Deal probability', deal, () => '0.2'),
  systemProperty('createdate', 'Create Date', 'datetime', deal),
  ...stamps(deal),
]

/** a deal's stage decides its probability and whether it is won */
export function deriveDeal(props: Record<string, string | null>) {
  const stage = STAGES.find(([value]) => value === props.dealstage)
  if (!stage) return
  props.hs_deal_stage_probability = stage[2]
  props.hs_is_closed_won = String(stage[0] === 'closedwon')
}

const appt = 'appointment_information'
const APPOINTMENT_STATUS = ['scheduled', 'confirmed', 'completed', 'cancelled', 'rescheduled', 'no_show']
const ARRIVY_STATUS = ['NOTSTARTED', 'ENROUTE', 'STARTED', 'COMPLETE', 'CANCELLED']
const appointmentName = (r: Random) => `${r.pick(pools.LAST_NAMES)} – ${r.pick(pools.SERVICES)} estimate`

export const APPOINTMENT_PROPERTIES: readonly PropertyDef[] = [
  text('hs_appointment_name', 'Appointment Name', appt, appointmentName),
  datetime('hs_appointment_start', 'Appointment Start', appt, 21),
  datetime('hs_appointment_end', 'Appointment End', appt, 21),
  select('appointment_status', 'Appointment Status', appt, APPOINTMENT_STATUS),
  text('appointment_result', 'Appointment Result', appt, oneOf(pools.APPOINTMENT_RESULTS)),
  text('division', 'Division', appt, division, 0.05),
  text('address', 'Address', appt, street, 0.05),
  text('city', 'City', appt, place(0), 0.05),
  text('state', 'State', appt, place(1), 0.05),
  text('zip', 'Zip', appt, place(2), 0.05),
  owner('hubspot_owner_id', 'Sales Rep', appt, 0.1),
  num('genius_appointment_id', 'Genius Appointment ID', appt, digits(1_000_000, 9_999_999), 0.3),
  text('salespro_estimate_id', 'SalesPro Estimate ID', appt, (r) => r.chars(10), 0.6),
  num('arrivy_task_id', 'Arrivy Task ID', appt, digits(5_000_000_000, 6_999_999_999), 0.5),
  select('arrivy_status', 'Arrivy Status', appt, ARRIVY_STATUS, 0.5),
  bool('sold', 'Sold', appt, 0.25, 0.2),
  num('sale_amount', 'Sale Amount', appt, price, 0.7),
  textarea('hs_appointment_notes', 'Notes', appt, comment, { nulls: 0.5, hs: false }),
  ...stamps(appt),
]

/** an appointment ends after it starts, on the quarter hour, and only a sold one has an amount */
export function deriveAppointment(props: Record<string, string | null>, r: Random, ctx: GenContext) {
  const start = ctx.createdMs + r.int(1, 21) * DAY + r.int(8, 18) * 3_600_000
  const quarter = start - (start % 900_000)
  props.hs_appointment_start = isoMs(quarter)
  props.hs_appointment_end = isoMs(quarter + r.pick([60, 90, 120]) * 60_000)
  if (props.sold !== 'true') props.sale_amount = null
}
