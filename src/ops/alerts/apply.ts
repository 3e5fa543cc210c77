import { claimNotification, listUnresolvedKeys, resolveAlert, upsertAlert } from '../../warehouse/sql/alerts.ts'
import type { Queryable } from '../../warehouse/types.ts'
import { dedupeKey, toAlert, type Finding, type FiringFinding, type Notification } from './types.ts'

/**
 * Brings crmsync.alerts in line with the findings and returns what must be notified:
 * - firing: open the alert, or refresh the open one (last_seen_at, value, message); notify when
 *   it is new, or again when the cooldown has passed since the last notification and nobody has
 *   acknowledged it (the claim is one UPDATE, so of several processes only one notifies);
 * - clear: resolve the unresolved alert with that key, and notify that it resolved — an
 *   acknowledged alert too, so whoever took it on hears that it is over.
 * `cooldownMs` 0 notifies on every evaluation.
 */
export async function applyFindings(db: Queryable, findings: readonly Finding[], cooldownMs: number): Promise<Notification[]> {
  const notifications: Notification[] = []
  const unresolved = findings.some((f) => !f.firing) ? await listUnresolvedKeys(db) : new Set<string>()
  for (const f of findings) {
    const key = dedupeKey(f.rule, f.source, f.stream)
    if (!f.firing) {
      if (!unresolved.has(key)) continue
      // a per-process alert unseen for 10 minutes has lost its owner (it exited): anyone may resolve it
      const only = f.owner ? { owner: f.owner, orUnseenSeconds: 600 } : undefined
      const resolved = await resolveAlert(db, key, only)
      if (resolved && !f.quiet) notifications.push({ event: 'resolved', reminder: false, alert: toAlert(resolved) })
      continue
    }
    const { alert, opened } = await upsertAlert(db, { ...f, dedupeKey: key })
    if (alert.status !== 'open') continue
    const claimed = await claimNotification(db, alert.id, cooldownMs / 1000)
    if (claimed) notifications.push({ event: 'opened', reminder: !opened, alert: toAlert(claimed) })
  }
  return notifications
}

/**
 * Brings in a finding that reports an event (a schema change) rather than a state: every event is
 * news, so it opens an alert of its own, notified whatever the cooldown and whether the stream's
 * previous one was acknowledged. That previous alert, if still unresolved, is resolved first without
 * a notification: the new one supersedes it. Run it in a transaction, so a crash between the two
 * leaves the old alert open rather than none.
 */
export async function applyEvent(db: Queryable, finding: FiringFinding): Promise<Notification[]> {
  await resolveAlert(db, dedupeKey(finding.rule, finding.source, finding.stream))
  return applyFindings(db, [finding], 0)
}
