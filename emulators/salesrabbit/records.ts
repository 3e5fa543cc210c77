import { z } from 'zod'
import { timestampInput } from './timestamps.ts'

/**
 * The two record shapes the emulator serves. The lead matches a real `/leads` response (every key
 * always present, flat address, `deletedAt` "" until deleted); the user's keys are the ones the
 * original client read, with types inferred where no real response was available. Keys are listed
 * alphabetically because the real API answers them in that order.
 */
export const leadSchema = z
  .object({
    appointment: timestampInput.nullable(),
    businessName: z.string(),
    campaignId: z.number().int().nullable(),
    city: z.string(),
    country: z.string(),
    customFields: z.record(z.string(), z.unknown()),
    dateCreated: timestampInput,
    dateModified: timestampInput,
    dateOfBirth: z.iso.date().nullable(),
    deletedAt: z.union([z.literal(''), timestampInput]),
    email: z.string(),
    files: z.array(z.object({ name: z.string(), url: z.string() }).strict()),
    firstName: z.string(),
    id: z.number().int().positive(),
    lastName: z.string(),
    latitude: z.number().nullable(),
    longitude: z.number().nullable(),
    notes: z.string().nullable(),
    ownerModified: timestampInput,
    phoneAlternate: z.string(),
    phonePrimary: z.string(),
    state: z.string(),
    status: z.string(),
    statusModified: timestampInput,
    street1: z.string(),
    street2: z.string(),
    userId: z.number().int(),
    userName: z.string(),
    zip: z.string(),
  })
  .strict()

export type Lead = z.infer<typeof leadSchema>

export const userSchema = z
  .object({
    active: z.boolean(),
    businessUnit: z.string().nullable(),
    cmsId: z.string().nullable(),
    dateCreated: timestampInput,
    dateModified: timestampInput,
    department: z.string().nullable(),
    email: z.string(),
    externalIds: z.record(z.string(), z.string()),
    firstName: z.string(),
    hireDate: z.iso.date().nullable(),
    id: z.number().int().positive(),
    lastName: z.string(),
    leadRepCmsId: z.string().nullable(),
    office: z.string().nullable(),
    orgId: z.number().int(),
    phone: z.string(),
    photoUrl: z.string().nullable(),
    recruiterId: z.number().int().nullable(),
    region: z.string().nullable(),
    role: z.string(),
    supervisorId: z.number().int().nullable(),
    team: z.string().nullable(),
  })
  .strict()

export type User = z.infer<typeof userSchema>

export const LEAD_KEYS = Object.keys(leadSchema.shape) as (keyof Lead)[]
export const USER_KEYS = Object.keys(userSchema.shape) as (keyof User)[]

/** How a lead names its owner: the user's full name, as SalesRabbit denormalises it onto the lead. */
export function userDisplayName(user: Pick<User, 'firstName' | 'lastName'>): string {
  return `${user.firstName} ${user.lastName}`
}
