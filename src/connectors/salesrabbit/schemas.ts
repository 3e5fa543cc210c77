import { defineRecord, field } from './processors.ts'

// The record schemas: each warehouse column, its type (the validator and the DDL) and the API key
// it is read from. The API's response envelope is validated in responses.ts.

/** A lead as the API sends it: flat, every key present (source-apis.md §4), typed column by column. */
export const leadRecord = defineRecord({
  id: field.key('id'),
  first_name: field.text('firstName'),
  last_name: field.text('lastName'),
  business_name: field.text('businessName'),
  email: field.text('email'),
  phone_primary: field.text('phonePrimary'),
  phone_alternate: field.text('phoneAlternate'),
  street1: field.text('street1'),
  street2: field.text('street2'),
  city: field.text('city'),
  state: field.text('state'),
  zip: field.text('zip'),
  country: field.text('country'),
  latitude: field.double('latitude'),
  longitude: field.double('longitude'),
  status: field.text('status'),
  status_modified: field.timestamp('statusModified'),
  notes: field.text('notes'),
  custom_fields: field.json('customFields'),
  appointment: field.timestamp('appointment'),
  files: field.json('files'),
  campaign_id: field.bigint('campaignId'),
  user_id: field.bigint('userId'),
  user_name: field.text('userName'),
  date_created: field.timestamp('dateCreated'),
  date_modified: field.timestampRequired('dateModified'),
  owner_modified: field.timestamp('ownerModified'),
  date_of_birth: field.date('dateOfBirth'),
  // "" means not deleted; a stamp is a soft delete at the source
  deleted_at: field.timestamp('deletedAt'),
})

/** The user keys the original client read (source-apis.md §4), plus the photo URL. */
export const userRecord = defineRecord({
  id: field.key('id'),
  first_name: field.text('firstName'),
  last_name: field.text('lastName'),
  email: field.text('email'),
  phone: field.text('phone'),
  active: field.boolean('active'),
  hire_date: field.date('hireDate'),
  business_unit: field.text('businessUnit'),
  department: field.text('department'),
  role: field.text('role'),
  office: field.text('office'),
  team: field.text('team'),
  region: field.text('region'),
  org_id: field.bigint('orgId'),
  supervisor_id: field.bigint('supervisorId'),
  recruiter_id: field.bigint('recruiterId'),
  cms_id: field.text('cmsId'),
  lead_rep_cms_id: field.text('leadRepCmsId'),
  external_ids: field.json('externalIds'),
  photo_url: field.text('photoUrl'),
  date_created: field.timestamp('dateCreated'),
  date_modified: field.timestamp('dateModified'),
})
