import type { SourceHandle } from './expected.ts'
import type { SourcePlan } from './scenario.ts'
import { startHubSpotSource } from './source-hubspot.ts'
import { startSalesProSource } from './source-salespro.ts'
import { startSalesRabbitSource } from './source-salesrabbit.ts'

/** Starts the emulator a source plan needs, seeded from the plan. */
export function startSourceHandle(plan: SourcePlan): Promise<SourceHandle> {
  if (plan.source === 'salespro') return startSalesProSource(plan)
  if (plan.source === 'hubspot') return startHubSpotSource(plan)
  return startSalesRabbitSource(plan)
}
