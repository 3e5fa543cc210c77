import type { Page, RejectedRecord, SourceRecord, Stream } from '../connectors/types.ts'
import { pageSize } from './prepare-page.ts'

/**
 * Ends a read after exactly `limit` records (`--max-records`): the page that crosses the limit is
 * cut, and its cursor is the stream's position after the last record kept (`Stream.cursorAt`), or
 * none when the stream cannot say, so the next run reads the cut page again (the merge makes that
 * free). A cut page lists no replace scopes: a parent's children may lie beyond the cut.
 * `onCut` is called when the read stopped short of its end.
 */
export async function* limitRecords<K>(pages: AsyncIterable<Page<K>>, limit: number, stream: Stream<K>, onCut: () => void): AsyncGenerator<Page<K>> {
  let left = limit
  const iterator = pages[Symbol.asyncIterator]()
  try {
    for (;;) {
      const next = await iterator.next()
      if (next.done) return
      const page = next.value
      const size = pageSize(page)
      // the limit fell exactly on the previous page's end, and the source has more
      if (left === 0 && size > 0) return onCut()
      if (size <= left) {
        left -= size
        yield page
        continue
      }
      const { records: all, rejects: allRejects } = readAll(page)
      const records = all.slice(0, left)
      const rejects = allRejects.slice(0, left - records.length)
      const last = records.at(-1)
      yield { records, rejects, cursor: last && stream.cursorAt ? stream.cursorAt(last) : undefined, replaceScopes: [], schema: page.schema }
      return onCut()
    }
  } finally {
    await iterator.return?.()
  }
}

/** A page's records and rejects, its byte rows read the usual way. */
export function readAll(page: Page): { records: SourceRecord[]; rejects: RejectedRecord[] } {
  const records = [...page.records]
  const rejects = [...(page.rejects ?? [])]
  const rows = page.rows
  if (rows)
    for (let i = 0; i < rows.count; i++) {
      const outcome = rows.row(i)
      if ('reject' in outcome) rejects.push(outcome.reject)
      else records.push(...outcome.records)
    }
  return { records, rejects }
}
