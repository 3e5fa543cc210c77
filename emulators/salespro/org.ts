import { createRandom, deriveSeed } from '../shared/random.ts'
import { objectId } from './ids.ts'
import { COMPANY_NAMES, FIRST_NAMES, LAST_NAMES, OFFICE_NAMES } from './vocabulary.ts'

/** the handful of companies, offices and sales reps that every generated row refers to */
export interface Company {
  readonly id: string
  readonly name: string
  readonly offices: readonly Office[]
  readonly reps: readonly SalesRep[]
}

export interface Office {
  readonly id: string
  readonly name: string
}

export interface SalesRep {
  readonly id: string
  readonly firstName: string
  readonly lastName: string
  readonly office: Office
}

export interface Org {
  readonly companies: readonly Company[]
  companyById(id: string | null): Company | undefined
}

export function createOrg(seed: number): Org {
  const random = createRandom(deriveSeed(seed, 'org'))
  const salt = deriveSeed(seed, 'org-ids')
  let next = 0
  const id = () => objectId(salt, next++)
  const companies = COMPANY_NAMES.map((name): Company => {
    const offices = Array.from({ length: random.int(1, 3) }, () => ({
      id: id(),
      name: random.pick(OFFICE_NAMES),
    }))
    const reps = Array.from({ length: random.int(4, 9) }, () => ({
      id: id(),
      firstName: random.pick(FIRST_NAMES),
      lastName: random.pick(LAST_NAMES),
      office: random.pick(offices),
    }))
    return { id: id(), name, offices, reps }
  })
  const byId = new Map(companies.map((c) => [c.id, c]))
  return { companies, companyById: (companyId) => (companyId === null ? undefined : byId.get(companyId)) }
}
