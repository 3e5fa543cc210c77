import { z } from 'zod'

/** The config file's `server` section: only what serve reads from it, and nothing else. */
export const serverSectionSchema = z
  .object({
    token: z.string().min(1).optional(),
    host: z.string().min(1).optional(),
    port: z.number().int().min(0).max(65_535).optional(),
  })
  .strict()
