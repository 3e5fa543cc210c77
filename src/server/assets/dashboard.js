// crmsync dashboard: live updates (server-sent events) and the action buttons. No framework, no
// build step. Everything from the server is put in the page with textContent, never innerHTML.
;(() => {
  'use strict'
  const TOKEN_KEY = 'crmsync-dashboard-token'
  const number = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 })
  const $ = (selector, root = document) => root.querySelector(selector)
  const $$ = (selector, root = document) => Array.from(root.querySelectorAll(selector))
  const el = (tag, attrs = {}, ...children) => {
    const node = document.createElement(tag)
    for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) node.setAttribute(k, String(v))
    for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)))
    return node
  }
  const duration = (ms) => {
    if (ms < 1000) return `${Math.round(ms)} ms`
    if (ms < 60000) return `${(ms / 1000).toFixed(1)} s`
    if (ms < 3600000) return `${Math.floor(ms / 60000)} min ${Math.round((ms % 60000) / 1000)} s`
    return `${Math.floor(ms / 3600000)} h ${Math.round((ms % 3600000) / 60000)} min`
  }
  const STATUS = { succeeded: 'ok', partial: 'warn', failed: 'bad', cancelled: 'cancel', skipped: 'skip', running: 'run' }
  const badge = (status) => el('span', { class: `badge ${STATUS[status] || 'muted'}` }, status)

  // ---- flash messages ----
  function flash(text, tone = '', link) {
    const box = $('#flash')
    if (!box) return
    // a success answers the failures before it: their red messages go
    if (tone === 'ok') for (const stale of $$('div.bad', box)) stale.remove()
    const item = el('div', { class: tone }, text)
    if (link) item.append(' ', el('a', { href: link.href }, link.text))
    box.prepend(item)
    while (box.children.length > 4) box.lastElementChild.remove()
    setTimeout(() => item.remove(), tone === 'bad' ? 15000 : 8000)
  }

  // ---- the token: pasted once, kept for this tab only, sent as a header; never in the page ----
  const token = () => sessionStorage.getItem(TOKEN_KEY) || ''
  function showTokenState() {
    const form = $('#token-form')
    const state = $('#token-state')
    if (!form || !state) return
    form.hidden = Boolean(token())
    state.hidden = !token()
  }
  function askForToken() {
    flash('Paste the dashboard token (CRMSYNC_DASHBOARD_TOKEN) at the top right first.', 'bad')
    const input = $('#token-input')
    if (input) input.focus()
  }

  // every action: token-gated, JSON both ways; a refusal is a red flash with the server's reason
  async function send(method, url, body) {
    if (document.body.dataset.actions !== 'enabled') {
      flash('This dashboard is read-only: the server has no CRMSYNC_DASHBOARD_TOKEN.', 'bad')
      return null
    }
    if (!token()) return askForToken(), null
    let response
    try {
      response = await fetch(url, {
        method,
        headers: method === 'DELETE' ? { 'x-crmsync-token': token() } : { 'content-type': 'application/json', 'x-crmsync-token': token() },
        body: method === 'DELETE' ? undefined : JSON.stringify(body || {}),
        credentials: 'same-origin',
      })
    } catch (error) {
      flash(`The server did not answer: ${error.message}`, 'bad')
      return null
    }
    const data = await response.json().catch(() => ({}))
    if (!response.ok) {
      const message = (data.error && data.error.message) || `HTTP ${response.status}`
      if (response.status === 401 || /wrong dashboard token/.test(message)) {
        sessionStorage.removeItem(TOKEN_KEY)
        showTokenState()
      }
      flash(message, 'bad')
      return null
    }
    return data
  }

  const post = (url, body) => send('POST', url, body)

  // a part of the page rendered again by the server after an action changed it (no reload, so the flash stays)
  async function refreshSection(selector) {
    const response = await fetch(location.pathname + location.search, { credentials: 'same-origin' }).catch(() => null)
    if (!response || !response.ok) return
    const fresh = new DOMParser().parseFromString(await response.text(), 'text/html').querySelector(selector)
    const current = $(selector)
    if (fresh && current) current.replaceChildren(...fresh.childNodes)
  }

  // `every 15 min`, as the schedules page writes it
  const every = (seconds) => {
    const unit = [[86400, 'd'], [3600, 'h'], [60, 'min']].find(([size]) => seconds % size === 0)
    return unit ? `every ${seconds / unit[0]} ${unit[1]}` : `every ${seconds} s`
  }
  const scheduleName = (s) => `${s.stream ? `${s.source}.${s.stream}` : `${s.source} (every stream)`} (${s.mode}, ${s.everySeconds ? every(s.everySeconds) : `cron ${s.cron}`})`

  async function scheduleAction(button) {
    const id = button.dataset.schedule
    const action = button.dataset.action.replace('schedule-', '')
    if (action === 'remove' && !window.confirm(`Remove schedule #${id}, ${button.dataset.name}? Runs it queued already still run.`)) return
    button.disabled = true
    const data = action === 'remove' ? await send('DELETE', `/api/schedules/${id}`) : await post(`/api/schedules/${id}/${action}`)
    button.disabled = false
    if (!data) return
    flash(action === 'remove' ? `Schedule #${id} removed.` : `Schedule #${id} ${action === 'pause' ? 'paused' : 'resumed'}: ${scheduleName(data)}.`, 'ok')
    await refreshSection('#schedules')
  }

  async function addSchedule(form) {
    const [source, stream] = form.elements.target.value.split(/\.(.+)/)
    const timing = form.elements.timing.value
    const value = form.elements[timing].value.trim()
    if (!value) return flash(timing === 'every' ? 'Give the interval, like 15m or 2h.' : 'Give the cron expression, like 0 * * * *.', 'bad')
    const data = await post('/api/schedules', { source, stream: stream || undefined, [timing]: value, mode: form.elements.mode.value })
    if (!data) return
    flash(`Schedule #${data.id} added: ${scheduleName(data)}.`, 'ok')
    form.elements.every.value = ''
    form.elements.cron.value = ''
    await refreshSection('#schedules')
  }

  // the shared time range: choosing a range clears a custom from/to, and typing one makes the range custom
  document.addEventListener('change', (event) => {
    const field = event.target
    const form = field.form
    if (!form) return
    if (field.matches('[data-range-select]')) for (const bound of $$('[data-range-bound]', form)) bound.value = ''
    if (field.matches('[data-range-bound]') && field.value) {
      const select = $('[data-range-select]', form)
      if (select) select.value = ''
    }
  })

  // a full re-sync changes more than it reads: it is confirmed, saying what it does to deletes
  const FULL_WARNING =
    'A full re-sync reads everything again and merges it. Rows the source no longer has are soft-deleted (_deleted_at) when the pass completes; ' +
    'if that would be more than half of a table, nothing is deleted and the run ends partial. Go on?'

  async function startSync(source, streams, mode) {
    if (mode === 'full' && !window.confirm(`${FULL_WARNING}\n\n${source}${streams.length ? `.${streams.join(', ')}` : ' (every stream)'}`)) return
    const data = await post('/api/sync', { source, streams: streams.length ? streams : undefined, mode })
    if (data) flash(`Sync accepted: ${data.streams.map((s) => `${data.source}.${s}`).join(', ')} (${data.mode}). Follow it under Running now.`, 'ok')
  }

  document.addEventListener('click', async (event) => {
    const button = event.target.closest('button[data-action]')
    if (!button || button.disabled) return
    const { action } = button.dataset
    if (action === 'sync') await startSync(button.dataset.source, button.dataset.stream ? [button.dataset.stream] : [], button.dataset.mode)
    if (action === 'stop') {
      if (!button.dataset.run) return flash('That stream is not running.', 'bad')
      const data = await post(`/api/runs/${button.dataset.run}/stop`)
      if (data) {
        flash(data.message)
        button.textContent = 'Stopping…'
        button.disabled = true
      }
    }
    if (action === 'retry-rejects') {
      const { source, stream } = button.dataset
      button.disabled = true
      const data = await post(`/api/streams/${encodeURIComponent(source)}/${encodeURIComponent(stream)}/rejects/retry`)
      button.disabled = false
      if (data) {
        const outcome = `${data.stored} stored, ${data.stillRejected} still refused`
        flash(data.error ? `Retry of ${source}.${stream}'s rejects (run ${data.runId}) ${data.status}: ${data.error}` : `Retried ${source}.${stream}'s rejects (run ${data.runId}): ${outcome}. Reload to see what is left.`, data.status === 'succeeded' ? 'ok' : 'bad')
      }
    }
    if (action === 'retry-run') {
      const data = await post(`/api/runs/${button.dataset.run}/retry`)
      if (data) flash(`Retry accepted: ${data.streams.map((s) => `${data.source}.${s}`).join(', ')} (${data.mode}). Follow it under Running now.`, 'ok', { href: '/monitoring/', text: 'Overview' })
    }
    if (action === 'check') {
      button.disabled = true
      const data = await post(`/api/sources/${encodeURIComponent(button.dataset.source)}/check`)
      button.disabled = false
      if (data) flash(data.ok ? `✓ ${data.source}: ${data.detail}` : `✗ ${data.source}: ${data.message}`, data.ok ? 'ok' : 'bad')
    }
    if (action === 'silence') {
      const data = await post(`/api/alerts/${button.dataset.alert}/silence`, { minutes: Number(button.dataset.minutes) })
      if (data) location.reload()
    }
    if (action.startsWith('schedule-')) await scheduleAction(button)
    if (action === 'ack') {
      const data = await post(`/api/alerts/${button.dataset.alert}/acknowledge`, { by: 'dashboard' })
      if (data) location.reload()
    }
  })

  document.addEventListener('submit', async (event) => {
    const form = event.target
    if (form.id === 'token-form') {
      event.preventDefault()
      const value = $('#token-input').value.trim()
      if (!value) return
      // asked of the server before it is kept: a wrong token is refused now, not at the first action
      sessionStorage.setItem(TOKEN_KEY, value)
      const checked = await post('/api/token/check')
      if (!checked) {
        sessionStorage.removeItem(TOKEN_KEY)
        showTokenState()
        return
      }
      $('#token-input').value = ''
      showTokenState()
      flash('Actions unlocked for this tab.', 'ok')
    }
    if (form.id === 'schedule-form') {
      event.preventDefault()
      await addSchedule(form)
    }
    if (form.id === 'sync-form') {
      event.preventDefault()
      const target = form.elements.target.value
      const [source, stream] = target.split(/\.(.+)/)
      await startSync(source, stream ? [stream] : [], form.elements.mode.value)
    }
  })
  const lock = $('#token-lock')
  if (lock)
    lock.addEventListener('click', () => {
      sessionStorage.removeItem(TOKEN_KEY)
      showTokenState()
    })
  showTokenState()

  // ---- the running-now table ----
  const runs = new Map() // id -> { startedLocal, fetched, pages, ended }
  const runningBody = () => $('#running tbody')

  function runRow(run) {
    const body = runningBody()
    if (!body) return null
    let row = $(`tr[data-run-id="${run.id}"]`, body)
    if (!row) {
      const empty = $('tr.empty', body)
      if (empty) empty.remove()
      row = el(
        'tr',
        { 'data-run-id': run.id, class: 'flash-new' },
        el('td', {}, el('a', { href: `/monitoring/runs/${run.id}` }, `#${run.id}`)),
        el('td', { 'data-field': 'stream' }, `${run.source}.${run.stream}`),
        el('td', { 'data-field': 'mode' }, run.mode || ''),
        el('td', { 'data-field': 'trigger' }, run.trigger || ''),
        el('td', { 'data-field': 'fetched', class: 'num' }, '0'),
        el('td', { 'data-field': 'rate', class: 'num' }, '0'),
        el('td', { 'data-field': 'pages', class: 'num' }, '0'),
        el('td', { 'data-field': 'elapsed', class: 'num' }, '0 ms'),
        el('td', { 'data-field': 'where', class: 'muted' }, run.host ? `${run.host} pid ${run.pid}` : 'this server'),
        el('td', {}, el('button', { type: 'button', class: 'small danger', 'data-action': 'stop', 'data-run': run.id }, 'Stop')),
      )
      body.append(row)
      setTimeout(() => row.classList.remove('flash-new'), 1500)
    }
    return row
  }

  function track(id, fields) {
    const state = runs.get(id) || { created: Date.now(), startedLocal: Date.now(), fetched: 0, pages: 0, ended: false }
    Object.assign(state, fields)
    runs.set(id, state)
    return state
  }

  function paint(id) {
    const state = runs.get(id)
    const row = $(`#running tr[data-run-id="${id}"]`)
    if (!state || !row) return
    const elapsed = Math.max(0, (state.endedLocal || Date.now()) - state.startedLocal)
    const set = (field, text) => {
      const cell = $(`[data-field="${field}"]`, row)
      if (cell && cell.textContent !== text) cell.textContent = text
    }
    // a run of this server whose source told its read's size shows how far through it is; runs of
    // other processes are seen only through the warehouse, which does not keep it
    const p = state.progress
    set('fetched', p ? `${number.format(state.fetched)} · ${p.total > 0 ? Math.min(100, Math.floor((p.done * 100) / p.total)) : 100}%` : number.format(state.fetched))
    set('pages', number.format(state.pages))
    set('elapsed', duration(elapsed))
    set('rate', number.format(elapsed > 0 ? state.fetched / (elapsed / 1000) : 0))
  }

  function emptyIfNone() {
    const body = runningBody()
    if (body && !body.querySelector('tr')) body.append(el('tr', { class: 'empty' }, el('td', { colspan: 10 }, 'nothing is running')))
  }

  // rows the server rendered: start their clocks from the warehouse-measured elapsed time
  for (const row of $$('#running tr[data-run-id]')) {
    const id = Number(row.dataset.runId)
    const cell = (f) => $(`[data-field="${f}"]`, row).textContent.replace(/,/g, '')
    track(id, { startedLocal: Date.now() - Number(row.dataset.elapsed || 0), fetched: Number(cell('fetched')) || 0, pages: Number(cell('pages')) || 0 })
  }

  // ---- the streams page: status cells and stop buttons follow the running runs ----
  function markStream(source, stream, runId, fetched) {
    const row = $(`tr[data-stream="${CSS.escape(`${source}.${stream}`)}"]`)
    if (!row) return
    const cell = $('[data-field="status"]', row)
    if (cell) cell.replaceChildren(badge('running'), ` ${number.format(fetched || 0)} rows`)
    const stop = $('button[data-stop-for]', row)
    if (stop) {
      stop.dataset.run = runId
      stop.disabled = false
    }
    row.dataset.running = String(runId)
  }

  // the overview's cards (running now, rows read, failed today) follow the live table: the page's
  // own rendering of them is fetched again after runs start and end, at most once a second
  let cardsTimer = null
  function refreshCards() {
    if (!$('section.cards') || cardsTimer) return
    cardsTimer = setTimeout(async () => {
      cardsTimer = null
      const response = await fetch(location.pathname, { credentials: 'same-origin' }).catch(() => null)
      if (!response || !response.ok) return
      const fresh = new DOMParser().parseFromString(await response.text(), 'text/html').querySelector('section.cards')
      const cards = $('section.cards')
      if (fresh && cards) cards.replaceChildren(...fresh.childNodes)
    }, 1000)
  }

  async function refreshStreams() {
    if (!$('tr[data-stream]')) return
    const response = await fetch('/api/streams', { credentials: 'same-origin' }).catch(() => null)
    if (!response || !response.ok) return
    const { streams } = await response.json()
    for (const s of streams) {
      const row = $(`tr[data-stream="${CSS.escape(`${s.source}.${s.stream}`)}"]`)
      if (!row || s.runningRunId !== null) continue
      const rows = $('[data-field="rows"]', row)
      if (rows && s.rows !== null) rows.textContent = number.format(s.rows)
      const cell = $('[data-field="status"]', row)
      if (cell && s.lastStatus) cell.replaceChildren(badge(s.lastStatus))
      const stop = $('button[data-stop-for]', row)
      if (stop) {
        stop.disabled = true
        stop.textContent = 'Stop'
        delete stop.dataset.run
      }
      delete row.dataset.running
    }
  }

  // ---- the live feed ----
  const live = $('#live')
  const setLive = (text, on) => {
    if (!live) return
    live.textContent = text
    live.className = `live ${on ? 'on' : 'off'}`
  }
  if (window.EventSource) {
    const source = new EventSource('/api/events')
    source.onopen = () => setLive('live', true)
    source.onerror = () => setLive('reconnecting…', false)
    let lastRunningCount = -1
    source.addEventListener('snapshot', (event) => {
      const data = JSON.parse(event.data)
      if (!data.runs) return setLive('warehouse unreachable', false)
      setLive('live', true)
      const seen = new Set()
      for (const run of data.runs) {
        seen.add(run.id)
        const state = track(run.id, { startedLocal: Date.now() - run.elapsedMs })
        // the warehouse is the truth for runs of other processes; events may be ahead for ours
        if (run.fetched >= state.fetched) Object.assign(state, { fetched: run.fetched, pages: run.pages })
        const row = runRow(run)
        const stop = row && run.stopRequested ? $('button[data-action="stop"]', row) : null
        if (stop) {
          stop.textContent = 'Stopping…'
          stop.disabled = true
        }
        paint(run.id)
        markStream(run.source, run.stream, run.id, state.fetched)
      }
      // a run gone from the warehouse's list has ended (a snapshot read just before a run began may miss it: wait a little)
      for (const [id, state] of runs) if (!seen.has(id) && !state.ended && Date.now() - state.created > 5000) finishRow(id, null)
      if (data.runs.length !== lastRunningCount) refreshCards()
      lastRunningCount = data.runs.length
    })
    source.addEventListener('run:start', (event) => {
      const e = JSON.parse(event.data)
      if (e.runId === null) return
      track(e.runId, { startedLocal: Date.now(), fetched: 0, pages: 0, ended: false })
      runRow({ id: e.runId, source: e.source, stream: e.stream, mode: e.mode, trigger: e.trigger })
      paint(e.runId)
      markStream(e.source, e.stream, e.runId, 0)
      refreshCards()
    })
    source.addEventListener('page:committed', (event) => {
      const e = JSON.parse(event.data)
      track(e.runId, { fetched: e.fetched, pages: e.pages, progress: e.progress || null })
      runRow({ id: e.runId, source: e.source, stream: e.stream })
      paint(e.runId)
      markStream(e.source, e.stream, e.runId, e.fetched)
    })
    source.addEventListener('run:retry', (event) => {
      const e = JSON.parse(event.data)
      flash(`${e.source}.${e.stream}: attempt ${e.attempt} in ${duration(e.waitMs)} (${e.error})`)
    })
    source.addEventListener('run:end', (event) => {
      const e = JSON.parse(event.data)
      if (e.runId === null) {
        if (e.error) flash(`${e.source}.${e.stream} did not run: ${e.error}`, 'bad')
        return
      }
      track(e.runId, { fetched: e.fetched })
      finishRow(e.runId, e.status)
      const tone = e.status === 'succeeded' ? 'ok' : e.status === 'cancelled' ? '' : 'bad'
      flash(`Run #${e.runId} ${e.source}.${e.stream} ${e.status}: ${number.format(e.fetched)} rows in ${duration(e.durationMs)}${e.error ? ` (${e.error})` : ''}.`, tone, {
        href: `/monitoring/runs/${e.runId}`,
        text: 'details',
      })
      refreshStreams()
      refreshCards()
    })
  }

  function finishRow(id, status) {
    // the page of a run that just ended reloads to show its final numbers
    if (Number(document.body.dataset.reloadOnEnd) === id) setTimeout(() => location.reload(), 500)
    const state = runs.get(id)
    if (!state) return
    if (state.ended) {
      // the warehouse snapshot saw the end first; the run's own event now brings its status
      const last = status && $(`#running tr[data-run-id="${id}"] td:last-child`)
      if (last) last.replaceChildren(badge(status))
      paint(id)
      return
    }
    state.ended = true
    state.endedLocal = Date.now()
    paint(id)
    const row = $(`#running tr[data-run-id="${id}"]`)
    if (row) {
      const last = row.lastElementChild
      if (last) last.replaceChildren(status ? badge(status) : el('span', { class: 'muted' }, 'ended'))
      setTimeout(() => {
        row.remove()
        runs.delete(id)
        emptyIfNone()
      }, 10000)
    } else runs.delete(id)
    if (!status) refreshStreams()
  }

  // the elapsed clocks tick between events
  setInterval(() => {
    for (const [id, state] of runs) if (!state.ended) paint(id)
  }, 1000)

  // ---- a running run's log, followed: its new lines every 2 s, until the run ends ----
  const LEVEL_TONE = { info: 'muted', warn: 'warn', error: 'bad', fatal: 'bad' }
  function logRow(line) {
    const at = new Date(line.at).toISOString()
    const details = Object.entries(line.fields || {}).map(([k, v]) => `${k}=${typeof v === 'object' && v !== null ? JSON.stringify(v) : v}`)
    return el(
      'tr',
      { class: `level-${line.level}` },
      el('td', {}, el('time', { datetime: at }, at.slice(0, 19).replace('T', ' '))),
      el('td', {}, el('span', { class: `badge ${LEVEL_TONE[line.level] || 'muted'}` }, line.level)),
      el('td', {}, line.message),
      el('td', { class: 'muted' }, details.join(' ')),
    )
  }
  const followed = $('table.log[data-follow]')
  if (followed) {
    const follow = async () => {
      try {
        const response = await fetch(`/api/runs/${followed.dataset.follow}/logs?after=${followed.dataset.after}`)
        if (!response.ok) return setTimeout(follow, 5000)
        const data = await response.json()
        const body = $('tbody', followed)
        if (data.lines.length) for (const empty of $$('tr.empty', body)) empty.remove()
        for (const line of data.lines) body.append(logRow(line))
        followed.dataset.after = String(data.next)
        if (data.status === 'running') setTimeout(follow, 2000)
      } catch {
        setTimeout(follow, 5000)
      }
    }
    setTimeout(follow, 2000)
  }
})()
