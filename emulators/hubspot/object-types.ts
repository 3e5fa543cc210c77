import type { Random } from '../shared/random.ts'
import type { GenContext, PropertyDef } from './property-kit.ts'
import { CONTACT_PROPERTIES, deriveContact } from './schema-contacts.ts'
import {
  APPOINTMENT_PROPERTIES,
  COMPANY_PROPERTIES,
  DEAL_PROPERTIES,
  deriveAppointment,
  deriveDeal,
} from './schema-crm.ts'
import {
  deriveDivision,
  deriveGeniusUser,
  deriveOwner,
  DIVISION_PROPERTIES,
  GENIUS_USER_PROPERTIES,
  OWNER_PROPERTIES,
} from './schema-custom.ts'

/** Everything the emulator knows about one HubSpot object type. */
export interface ObjectSpec {
  /** the crmsync stream name; also the admin table name */
  readonly stream: string
  /** HubSpot's objectTypeId (`0-1`, `2-37778609`); owners have none and are not a CRM object */
  readonly typeId: string
  /** path spellings HubSpot accepts, lower case */
  readonly names: readonly string[]
  /** lower-case singular, as in association errors ("No company is associated with deal 1.") */
  readonly singular: string
  /** the word in batch-read errors ("Could not get some CONTACT objects") */
  readonly errorName: string
  /** null for owners, which carry createdAt/updatedAt only */
  readonly createdProperty: string | null
  readonly modifiedProperty: string | null
  /** what list and search return when the request names no properties */
  readonly defaultProperties: readonly string[]
  /** the group a portal's new property lands in unless it names one: the object's main group */
  readonly propertyGroup: string
  readonly properties: readonly PropertyDef[]
  /** properties a random admin update changes: the ones people actually edit */
  readonly updatable: readonly string[]
  /** first id and the largest step between consecutive ids (gaps are deleted test records) */
  readonly idStart: number
  readonly idStep: number
  /** makes one record's generated values consistent with each other */
  readonly derive?: (props: Record<string, string | null>, r: Random, ctx: GenContext, index: number) => void
}

export const CONTACTS: ObjectSpec = {
  stream: 'contacts',
  typeId: '0-1',
  names: ['contacts', 'contact', '0-1'],
  singular: 'contact',
  errorName: 'CONTACT',
  createdProperty: 'createdate',
  modifiedProperty: 'lastmodifieddate',
  defaultProperties: ['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate', 'lastname'],
  propertyGroup: 'contactinformation',
  properties: CONTACT_PROPERTIES,
  updatable: [
    'lifecyclestage',
    'hs_lead_status',
    'phone',
    'hubspot_owner_id',
    'lead_status',
    'comments',
    'tier',
    'price',
    'appointment_date',
    'services_interested',
  ],
  idStart: 101,
  idStep: 3,
  derive: deriveContact,
}

export const COMPANIES: ObjectSpec = {
  stream: 'companies',
  typeId: '0-2',
  names: ['companies', 'company', '0-2'],
  singular: 'company',
  errorName: 'COMPANY',
  createdProperty: 'hs_createdate',
  modifiedProperty: 'hs_lastmodifieddate',
  defaultProperties: ['createdate', 'domain', 'hs_createdate', 'hs_lastmodifieddate', 'hs_object_id', 'name'],
  propertyGroup: 'companyinformation',
  properties: COMPANY_PROPERTIES,
  updatable: [
    'phone',
    'numberofemployees',
    'annualrevenue',
    'lifecyclestage',
    'hubspot_owner_id',
    'description',
  ],
  idStart: 5_103_000_001,
  idStep: 7,
}

export const DEALS: ObjectSpec = {
  stream: 'deals',
  typeId: '0-3',
  names: ['deals', 'deal', '0-3'],
  singular: 'deal',
  errorName: 'DEAL',
  createdProperty: 'hs_createdate',
  modifiedProperty: 'hs_lastmodifieddate',
  defaultProperties: [
    'amount',
    'closedate',
    'createdate',
    'dealname',
    'dealstage',
    'hs_lastmodifieddate',
    'hs_object_id',
    'pipeline',
  ],
  propertyGroup: 'dealinformation',
  properties: DEAL_PROPERTIES,
  updatable: ['amount', 'dealstage', 'closedate', 'hubspot_owner_id', 'hs_priority', 'description'],
  idStart: 9_870_000_001,
  idStep: 11,
  derive: deriveDeal,
}

export const APPOINTMENTS: ObjectSpec = {
  stream: 'appointments',
  typeId: '0-421',
  names: ['appointments', 'appointment', '0-421'],
  singular: 'appointment',
  errorName: 'APPOINTMENT',
  createdProperty: 'hs_createdate',
  modifiedProperty: 'hs_lastmodifieddate',
  defaultProperties: ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id'],
  propertyGroup: 'appointment_information',
  properties: APPOINTMENT_PROPERTIES,
  updatable: [
    'appointment_status',
    'appointment_result',
    'arrivy_status',
    'sold',
    'hubspot_owner_id',
    'hs_appointment_notes',
  ],
  idStart: 40_120_000_001,
  idStep: 5,
  derive: deriveAppointment,
}

export const DIVISIONS: ObjectSpec = {
  stream: 'divisions',
  typeId: '2-37778609',
  names: ['2-37778609'],
  singular: 'division',
  errorName: '2-37778609',
  createdProperty: 'hs_createdate',
  modifiedProperty: 'hs_lastmodifieddate',
  defaultProperties: ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id'],
  propertyGroup: 'division_information',
  properties: DIVISION_PROPERTIES,
  updatable: ['status', 'region', 'manager_name', 'manager_email', 'phone', 'address2'],
  idStart: 16_800_000_001,
  idStep: 2,
  derive: deriveDivision,
}

export const GENIUS_USERS: ObjectSpec = {
  stream: 'genius_users',
  typeId: '2-42119425',
  names: ['2-42119425'],
  singular: 'genius_user',
  errorName: '2-42119425',
  createdProperty: 'hs_createdate',
  modifiedProperty: 'hs_lastmodifieddate',
  defaultProperties: ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id'],
  propertyGroup: 'genius_user_information',
  properties: GENIUS_USER_PROPERTIES,
  updatable: ['job_title', 'title_id', 'user_account_type', 'user_status_inactive', 'division'],
  idStart: 18_200_000_001,
  idStep: 2,
  derive: deriveGeniusUser,
}

export const OWNERS: ObjectSpec = {
  stream: 'owners',
  typeId: 'owners',
  names: [],
  singular: 'owner',
  errorName: 'OWNER',
  createdProperty: null,
  modifiedProperty: null,
  defaultProperties: ['firstName', 'lastName', 'email', 'userId', 'team'],
  propertyGroup: 'owner',
  properties: OWNER_PROPERTIES,
  updatable: ['firstName', 'lastName', 'team'],
  idStart: 31_400_001,
  idStep: 9,
  derive: deriveOwner,
}

/** in generation order: divisions and owners first, because the others point at them */
export const OBJECT_SPECS: readonly ObjectSpec[] = [
  DIVISIONS,
  OWNERS,
  CONTACTS,
  COMPANIES,
  DEALS,
  APPOINTMENTS,
  GENIUS_USERS,
]

/** the CRM object a URL path segment names (custom objects by objectTypeId only, as HubSpot now requires) */
export function findObjectSpec(segment: string): ObjectSpec | undefined {
  const key = segment.toLowerCase()
  return OBJECT_SPECS.find((s) => s.names.includes(key))
}

/** the object an admin request names: a stream name, an objectTypeId or a path spelling; owners too */
export function findAdminSpec(table: string): ObjectSpec | undefined {
  return OBJECT_SPECS.find((s) => s.stream === table) ?? findObjectSpec(table)
}
