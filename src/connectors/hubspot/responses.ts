import { z } from 'zod'

/**
 * The shapes of HubSpot's answers, validated at the boundary. Lenient on members we do not use
 * (HubSpot adds fields over time); strict on the ones we read.
 */
const idText = z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]).transform(String)

// values are strings or null on the wire; a number or boolean from an odd endpoint is kept as its text
const propertyValue = z
  .union([z.string(), z.number(), z.boolean(), z.null()])
  .transform((v) => (v === null ? null : String(v)))

/** SimplePublicObject (list, search, batch read) */
export const simpleObjectSchema = z.looseObject({
  id: idText,
  properties: z.record(z.string(), propertyValue),
  createdAt: z.string(),
  updatedAt: z.string(),
  archived: z.boolean().default(false),
  archivedAt: z.string().nullable().optional(),
})
export type SimpleObject = z.infer<typeof simpleObjectSchema>

const afterSchema = z.union([z.string(), z.number()]).transform(String)
const pagingSchema = z.looseObject({ next: z.looseObject({ after: afterSchema }).optional() }).optional()

export const listAnswerSchema = z.looseObject({ results: z.array(simpleObjectSchema), paging: pagingSchema })
export const searchAnswerSchema = z.looseObject({
  total: z.number().optional(),
  results: z.array(simpleObjectSchema),
  paging: pagingSchema,
})

/** one entry of `errors` in a 207 Multi-Status answer */
export const batchErrorSchema = z.looseObject({
  status: z.string().optional(),
  category: z.string().optional(),
  subCategory: z.string().optional(),
  message: z.string().optional(),
  context: z.record(z.string(), z.unknown()).optional(),
})
export type BatchError = z.infer<typeof batchErrorSchema>

export const batchReadAnswerSchema = z.looseObject({
  status: z.string().optional(),
  results: z.array(simpleObjectSchema),
  errors: z.array(batchErrorSchema).optional(),
})

export const propertyDefinitionSchema = z.looseObject({
  name: z.string().min(1),
  type: z.string(),
  fieldType: z.string().optional(),
  label: z.string().optional(),
})
export type PropertyDefinition = z.infer<typeof propertyDefinitionSchema>
export const propertiesAnswerSchema = z.looseObject({ results: z.array(propertyDefinitionSchema) })

export const ownerSchema = z.looseObject({
  id: idText,
  email: z.string().nullable().optional(),
  firstName: z.string().nullable().optional(),
  lastName: z.string().nullable().optional(),
  userId: z.union([z.number().int(), z.string().regex(/^\d+$/)]).nullable().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  archived: z.boolean().default(false),
  archivedAt: z.string().nullable().optional(),
  teams: z.array(z.unknown()).optional(),
})
export type Owner = z.infer<typeof ownerSchema>
export const ownersAnswerSchema = z.looseObject({ results: z.array(ownerSchema), paging: pagingSchema })

const associationTypeSchema = z.looseObject({
  category: z.string(),
  typeId: z.number().int(),
  label: z.string().nullable().optional(),
})

export const associationResultSchema = z.looseObject({
  from: z.looseObject({ id: idText }),
  // the SDK types toObjectId as a string; the JSON carries a number: both are accepted
  to: z.array(z.looseObject({ toObjectId: idText, associationTypes: z.array(associationTypeSchema) })),
  paging: pagingSchema,
})
export type AssociationResult = z.infer<typeof associationResultSchema>

export const associationsAnswerSchema = z.looseObject({
  status: z.string().optional(),
  results: z.array(associationResultSchema),
  errors: z.array(batchErrorSchema).optional(),
})

/** HubSpot's error envelope (and the 429 body) */
export const errorBodySchema = z.looseObject({
  message: z.string().optional(),
  correlationId: z.string().optional(),
  category: z.string().optional(),
  policyName: z.string().optional(),
  errors: z
    .array(z.looseObject({ message: z.string().optional(), context: z.record(z.string(), z.unknown()).optional() }))
    .optional(),
})
export type ErrorBody = z.infer<typeof errorBodySchema>
