import { createRandom, deriveSeed, type Random } from '../shared/random.ts'
import { deterministicUuid, objectId } from './ids.ts'
import { buildLeadResultItems, stringifyLeadResults, type LeadResultContext } from './lead-result-json.ts'
import type { Company, Org, SalesRep } from './org.ts'
import type { AthenaTable } from './tables.ts'
import { createTableClock, type TableClock } from './timeline.ts'
import { exportedMoney, maybeNull, optional } from './values.ts'
import * as words from './vocabulary.ts'

/**
 * One value per column, in the table's column order: text, epoch milliseconds for timestamps,
 * integer cents for decimals, booleans, integers for bigints, or null.
 */
export type RowValue = string | number | boolean | null
export type Row = RowValue[]

export interface CustomerContext {
  readonly index: number
  readonly id: string
  readonly company: Company
  readonly firstName: string | null
  readonly lastName: string | null
  readonly createdMs: number
}

export interface EstimateContext extends LeadResultContext {
  readonly id: string
  readonly customer: CustomerContext
  readonly rep: SalesRep
  readonly hasCreditApp: boolean
}

/** how many child rows one customer has; decided with the customer so ids never shift */
export interface CustomerShape {
  readonly estimates: number
  readonly payments: number
  readonly activities: number
}

/**
 * Row builders, one seeded stream per table: a table's rows depend only on the seed and the
 * row's position, never on which other tables are generated.
 */
export interface Generators {
  readonly salts: Readonly<Record<'customer' | 'estimate' | 'credit' | 'payment' | 'uuid', number>>
  customer(
    index: number,
    firstEstimateIndex: number,
  ): { row: Row; context: CustomerContext; shape: CustomerShape }
  estimate(customer: CustomerContext, index: number): { row: Row; context: EstimateContext }
  /** null for the ~10% of estimates that have no lead result (never when `always`) */
  leadResult(estimate: EstimateContext, always?: boolean): Row | null
  creditApplication(estimate: EstimateContext, index: number): Row
  payment(customer: CustomerContext, index: number): Row
  activity(customer: CustomerContext, rowNumber: number): Row
  /** the stream that a table's generator draws from (mutations reuse it) */
  random(table: AthenaTable): Random
}

const pickWeighted = (random: Random, weights: readonly number[]) => {
  let r = random.next()
  for (let i = 0; i < weights.length; i++) if ((r -= weights[i]) < 0) return i
  return weights.length - 1
}

export function createGenerators(seed: number, org: Org): Generators {
  const stream = (label: string) => createRandom(deriveSeed(seed, label))
  const randoms: Record<AthenaTable, Random> = {
    customer: stream('customer'),
    estimate: stream('estimate'),
    credit_applications: stream('credit_applications'),
    lead_results: stream('lead_results'),
    payments: stream('payments'),
    user_activity: stream('user_activity'),
  }
  const clocks: Record<AthenaTable, TableClock> = {
    customer: createTableClock(randoms.customer, true),
    estimate: createTableClock(randoms.estimate, true),
    credit_applications: createTableClock(randoms.credit_applications, true),
    lead_results: createTableClock(randoms.lead_results, true),
    payments: createTableClock(randoms.payments, true),
    user_activity: createTableClock(randoms.user_activity, false),
  }
  // the money text's shape comes from a stream of its own, so every other estimate value (and
  // which estimates have credit applications) stays what the seed gave before it was text
  const moneyText = stream('estimate-money')
  const money = (cents: number | null) => (cents === null ? null : exportedMoney(moneyText, cents))
  const salts = {
    customer: deriveSeed(seed, 'customer-ids'),
    estimate: deriveSeed(seed, 'estimate-ids'),
    credit: deriveSeed(seed, 'credit-ids'),
    payment: deriveSeed(seed, 'payment-ids'),
    uuid: deriveSeed(seed, 'uuids'),
  }

  return {
    salts,
    random: (table) => randoms[table],

    customer(index, firstEstimateIndex) {
      const r = randoms.customer
      const company = r.pick(org.companies)
      const shape = {
        estimates: pickWeighted(r, [0.1, 0.5, 0.3, 0.1]),
        payments: pickWeighted(r, [0.68, 0.18, 0.1, 0.04]),
        activities: r.int(0, 4),
      }
      const { created, updated } = clocks.customer.next()
      const source = optional(r, r.pick(words.CRM_SOURCES))
      const sourceId =
        source === 'HubSpot'
          ? String(r.int(10_000_000, 99_999_999_999))
          : source === 'SalesRabbit'
            ? String(r.int(100_000, 9_999_999))
            : null
      const context: CustomerContext = {
        index,
        id: objectId(salts.customer, index),
        company,
        firstName: optional(r, r.pick(words.FIRST_NAMES)),
        lastName: optional(r, r.pick(words.LAST_NAMES)),
        createdMs: created,
      }
      const firstEstimate = objectId(salts.estimate, firstEstimateIndex)
      const estimateId = shape.estimates > 0 ? optional(r, firstEstimate) : null
      // prettier-ignore
      const row: Row = [
        context.id, estimateId, company.id, optional(r, company.name), context.firstName, context.lastName,
        source, sourceId === null ? null : optional(r, sourceId), created, updated,
      ]
      return { row, context, shape }
    },

    estimate(customer, index) {
      const r = randoms.estimate
      const company = customer.company
      const rep = r.pick(company.reps)
      const { created, updated } = clocks.estimate.next(customer.createdMs)
      const isSale = r.chance(0.35)
      const saleCents = isSale || r.chance(0.5) ? r.int(150_000, 4_500_000) : null
      const financed = isSale && r.chance(0.4)
      const hasCreditApp = r.chance(financed ? 0.6 : 0.08)
      const jobType = optional(r, r.pick(words.JOB_TYPES))
      const [city, state, zipPrefix] = r.pick(words.CITIES)
      const id = objectId(salts.estimate, index)
      const context: EstimateContext = {
        id,
        customer,
        rep,
        isSale,
        jobType,
        saleCents,
        hasCreditApp,
        createdMs: created,
      }
      // prettier-ignore
      const row: Row = [
        id, company.id, optional(r, company.name), rep.office.id, optional(r, rep.office.name), rep.id,
        optional(r, rep.firstName), optional(r, rep.lastName),
        customer.id, customer.firstName, customer.lastName,
        optional(r, `${r.int(1, 9999)} ${r.pick(words.STREET_NAMES)}`), optional(r, city), optional(r, state),
        optional(r, `${zipPrefix}${String(r.int(0, 99)).padStart(2, '0')}`),
        saleCents, isSale, jobType,
        money(financed ? Math.floor((saleCents ?? 0) * r.next()) : null),
        financed ? optional(r, r.pick(words.BANKS)) : null,
        financed ? optional(r, r.pick(words.LOANS)) : null,
        money(isSale ? (r.chance(0.3) ? 0 : r.int(10_000, 500_000)) : null),
        maybeNull(r, hasCreditApp), maybeNull(r, r.int(0, 12)), created, updated,
      ]
      return { row, context }
    },

    leadResult(estimate, always = false) {
      const r = randoms.lead_results
      if (!r.chance(0.9) && !always) return null
      const { created, updated } = clocks.lead_results.next(estimate.createdMs)
      const json = stringifyLeadResults(r, buildLeadResultItems(r, estimate))
      return [estimate.id, estimate.customer.company.id, json, created, updated]
    },

    creditApplication(estimate, index) {
      const r = randoms.credit_applications
      const company = estimate.customer.company
      const { created, updated } = clocks.credit_applications.next(estimate.createdMs)
      const vendor = r.pick(words.CREDIT_VENDORS)
      // prettier-ignore
      return [
        objectId(salts.credit, index), company.id, optional(r, company.name),
        estimate.rep.id, estimate.customer.id,
        optional(r, vendor), optional(r, `${vendor.slice(0, 2).toUpperCase()}-${r.int(100_000, 999_999)}`),
        maybeNull(r, r.int(100_000, 6_000_000)), optional(r, r.pick(words.CREDIT_STATUSES)),
        optional(r, r.pick(words.NOTES)), created, updated,
      ]
    },

    payment(customer, index) {
      const r = randoms.payments
      const company = customer.company
      const { created, updated } = clocks.payments.next(customer.createdMs)
      // prettier-ignore
      return [
        objectId(salts.payment, index), company.id, optional(r, company.name),
        customer.id, r.int(1_000, 2_500_000),
        optional(r, r.pick(words.PAYMENT_TYPES)), optional(r, r.pick(words.PAYMENT_DESCRIPTIONS)),
        maybeNull(r, r.chance(0.9)), created, updated,
      ]
    },

    activity(customer, rowNumber) {
      const r = randoms.user_activity
      const company = customer.company
      const { created } = clocks.user_activity.next(customer.createdMs)
      const [note, metric, identifier] = r.pick(words.ACTIVITIES)
      // prettier-ignore
      return [
        created, r.pick(company.reps).id, company.id, optional(r, company.name),
        optional(r, deterministicUuid(salts.uuid, customer.index)), customer.id,
        optional(r, note), optional(r, metric), optional(r, identifier),
        optional(r, r.pick(words.PRICE_TYPES)),
        maybeNull(r, r.int(0, 3_000_000)), rowNumber,
      ]
    },
  }
}
