import { SOURCE_NAMES } from '../../connectors/registry.ts'
import { listSchedules, type DbSchedule } from '../../warehouse/sql/schedules.ts'
import { catalogOf } from '../data.ts'
import type { AppDeps } from '../deps.ts'
import { badge, fmtTime } from '../format.ts'
import { html, type SafeHtml } from '../html.ts'
import type { SourceCatalog } from '../ports.ts'
import { table } from './layout.ts'

/** `every 15 min`, `every 2 h`: the interval as a person writes it */
export function fmtEvery(seconds: number): string {
  const units: [number, string][] = [[86_400, 'd'], [3600, 'h'], [60, 'min']]
  const found = units.find(([size]) => seconds % size === 0)
  return found ? `every ${seconds / found[0]} ${found[1]}` : `every ${seconds} s`
}

function scheduleRow(s: DbSchedule): SafeHtml {
  const timing = s.every_seconds !== null ? fmtEvery(s.every_seconds) : html`cron <code>${s.cron}</code>`
  const toggle = s.paused
    ? html`<button type="button" class="small" data-action="schedule-resume" data-schedule="${s.id}">Resume</button>`
    : html`<button type="button" class="small" data-action="schedule-pause" data-schedule="${s.id}">Pause</button>`
  return html`<tr data-schedule-id="${s.id}" data-paused="${String(s.paused)}"><td>#${s.id}</td><td>${s.stream === null ? html`${s.source} <span class="muted">(every stream)</span>` : `${s.source}.${s.stream}`}</td>
<td>${timing}</td><td>${s.mode}</td><td data-field="state">${badge(s.paused ? 'paused' : 'active')}</td><td>${s.paused ? html`<span class="muted">paused</span>` : fmtTime(s.next_run_at)}</td>
<td>${fmtTime(s.last_enqueued_at)}</td>
<td class="actions">${toggle}<button type="button" class="small danger" data-action="schedule-remove" data-schedule="${s.id}" data-name="${s.source}.${s.stream ?? '*'} (${s.mode})">Remove</button></td></tr>`
}

/** What a schedule may target: the configured sources' streams, or every known source when none is. */
function targetOptions(catalog: SourceCatalog[], sources: readonly string[]): SafeHtml {
  const configured = catalog.filter((c) => c.configured)
  if (!configured.length) return html`${sources.map((s) => html`<option value="${s}">${s}: every stream</option>`)}`
  return html`${configured.map(
    (c) => html`<optgroup label="${c.source}"><option value="${c.source}">${c.source}: every stream</option>${c.streams.map((s) => html`<option value="${c.source}.${s}">${c.source}.${s}</option>`)}</optgroup>`,
  )}`
}

function createForm(deps: AppDeps, catalog: SourceCatalog[]): SafeHtml {
  if (!deps.token) return html`<p class="muted">Adding schedules from the dashboard needs a token (set <code>CRMSYNC_DASHBOARD_TOKEN</code> and restart <code>crmsync serve</code>), or use <code>crmsync schedule add</code>.</p>`
  return html`<form id="schedule-form" class="stack">
<label>What <select name="target" id="schedule-target">${targetOptions(catalog, deps.sources ?? SOURCE_NAMES)}</select></label>
<fieldset class="inline"><legend>When</legend>
<label><input type="radio" name="timing" value="every" checked> every <input type="text" name="every" id="schedule-every" placeholder="15m" size="6" spellcheck="false"></label>
<label><input type="radio" name="timing" value="cron"> cron <input type="text" name="cron" id="schedule-cron" placeholder="0 * * * *" size="14" spellcheck="false"></label></fieldset>
<p class="muted small">An interval is a number and a unit: <code>30s</code>, <code>15m</code>, <code>2h</code>, <code>1d</code>; an interval fires at once, then on its grid. A cron expression is UTC.</p>
<fieldset class="inline"><legend>Mode</legend>
<label><input type="radio" name="mode" value="incremental" checked> incremental</label>
<label><input type="radio" name="mode" value="full"> full <span class="muted">(re-read everything, merge)</span></label></fieldset>
<button type="submit" id="schedule-add" class="primary">Add schedule</button>
</form>`
}

/**
 * The schedules, with pause, resume and remove, and a form to add one: the same API as
 * `crmsync schedule` (token-gated and audited). A page of its own, because schedules cut across
 * sources and streams, and the overview has no room for a form of four fields.
 */
export async function schedulesPage(deps: AppDeps): Promise<SafeHtml> {
  const [schedules, catalog] = await Promise.all([listSchedules(deps.warehouse), catalogOf(deps)])
  return html`<section id="schedules">
${table(['Schedule', 'What', 'When', 'Mode', 'State', 'Next run', 'Last queued', ''], schedules.map(scheduleRow), 'no schedules yet: add one below or with crmsync schedule add', { id: 'schedules-table' })}
<p class="muted small">Schedules are fired by <code>crmsync worker</code>: each due schedule queues its streams once, whichever worker ticks first. Adding a schedule for a stream and mode that has one replaces its timing.</p>
</section>
<section class="panel"><h2>Add a schedule</h2>${createForm(deps, catalog)}</section>`
}
