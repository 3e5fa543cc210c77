import { CONNECTORS, SOURCE_NAMES } from '../../connectors/registry.ts'
import { SyncError } from '../../errors.ts'
import { deleteSchedule, listSchedules, scheduleJson, setSchedulePaused } from '../../warehouse/sql/schedules.ts'
import { addSchedule } from '../../worker/add-schedule.ts'
import { describeTiming } from '../../worker/timing.ts'
import { parseCommandArgs, positiveInt } from '../args.ts'
import { loadTarget, streamNamesOf, type CliContext } from '../context.ts'
import { table } from '../output.ts'

export const SCHEDULE_HELP = `crmsync schedule add <source>[.<stream>] --every 15m | --cron "<expr>" [--mode incremental|full]
crmsync schedule [list] [--json]
crmsync schedule remove <id>
crmsync schedule pause <id> | resume <id>

Schedules live in the warehouse (crmsync.schedules) and are run by \`crmsync worker\`. A schedule
without a stream covers every stream of its source; a stream the source does not have is refused
(exit 2, naming its streams). --every takes 30s, 15m, 2h, 1d (at least 10s); --cron a cron
expression of exactly five fields (minute hour day-of-month month day-of-week), in UTC. Adding the same source/stream/mode again
replaces its timing. A stream whose runs keep failing is retried on later ticks with backoff.`


export async function scheduleCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { every: { type: 'string' }, cron: { type: 'string' }, mode: { type: 'string' } }, 'schedule')
  // no action at all lists them, as `crmsync alerts` does
  const [action = 'list', target, ...extra] = positionals
  if (extra.length) throw new SyncError('config_invalid', `unexpected argument ${JSON.stringify(extra[0])}`)
  switch (action) {
    case 'add': {
      if (!target) throw new SyncError('config_invalid', 'name what to schedule: <source> or <source>.<stream>')
      const [source, stream, rest] = target.split('.')
      if (rest !== undefined || !CONNECTORS[source])
        throw new SyncError('config_invalid', `${JSON.stringify(target)} is not <source> or <source>.<stream>; sources: ${SOURCE_NAMES.join(', ')}`)
      const warehouse = await ctx.warehouse()
      const schedule = await addSchedule(warehouse, { source, stream, every: values.every, cron: values.cron, mode: values.mode }, await streamNamesOf(ctx, source))
      const mode = schedule.mode
      // kept either way (the workers may run elsewhere, with their own environment), but a source
      // this machine cannot configure usually means its credentials were never stored
      const problem = await loadTarget(ctx, source).then(
        () => undefined,
        (error: unknown) => (error instanceof SyncError && error.code === 'config_invalid' ? error.message : undefined),
      )
      if (problem) ctx.out.note(`warning: ${problem}. Workers with the same environment will fail this schedule; store the credentials with \`crmsync credentials set ${source} --from-env\``)
      if (values.json) ctx.out.result(scheduleJson(schedule))
      else ctx.out.line(`schedule ${schedule.id}: ${source}${stream ? `.${stream}` : ' (every stream)'} ${mode} ${describeTiming(schedule)}; next run ${schedule.next_run_at.toISOString()} (run \`crmsync worker\` to carry it out)`)
      return 0
    }
    case 'list': {
      const warehouse = await ctx.warehouse()
      const schedules = await listSchedules(warehouse)
      if (values.json) ctx.out.result({ schedules: schedules.map(scheduleJson) })
      else if (schedules.length === 0) ctx.out.line('no schedules: add one with `crmsync schedule add salespro --every 15m`')
      else
        ctx.out.line(
          table(
            ['id', 'target', 'mode', 'timing', 'state', 'next run (UTC)', 'last queued (UTC)'],
            schedules.map((s) => [s.id, `${s.source}${s.stream ? `.${s.stream}` : ' (all)'}`, s.mode, describeTiming(s), s.paused ? 'paused' : 'active', iso(s.next_run_at), s.last_enqueued_at ? iso(s.last_enqueued_at) : '']),
          ),
        )
      return 0
    }
    case 'remove':
    case 'pause':
    case 'resume': {
      const id = positiveInt(target, 'the schedule id')
      if (id === undefined) throw new SyncError('config_invalid', `give the id of the schedule to ${action} (see \`crmsync schedule list\`)`)
      const warehouse = await ctx.warehouse()
      const done = action === 'remove' ? await deleteSchedule(warehouse, id) : Boolean(await setSchedulePaused(warehouse, id, action === 'pause'))
      if (!done) throw new SyncError('config_invalid', `there is no schedule ${id}`)
      if (values.json) ctx.out.result({ id, action })
      else ctx.out.line(`schedule ${id} ${action === 'remove' ? 'removed' : action === 'pause' ? 'paused' : 'resumed'}`)
      return 0
    }
    default:
      throw new SyncError('config_invalid', `unknown action ${JSON.stringify(action)}: add, list, remove, pause or resume`)
  }
}

const iso = (d: Date) => d.toISOString().slice(0, 19).replace('T', ' ')
