// The compliance dashboard (issue 12): plain DOM code, no framework and no build step, talking only to the GraphQL
// admin API with the HttpOnly session cookie (same origin, JSON bodies: ADR 0012). Values are set as text, never
// as HTML. Sections are entries of SECTIONS; a section whose field this server does not have shows "not
// available": add a capability's section by adding an entry.

const REFRESH_MS = 1000;
const DAY_MS = 86_400_000;

async function gql(query, variables = {}) {
    const response = await fetch('/graphql', {
        method: 'POST', credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'Accept': 'application/json' },
        body: JSON.stringify({ query, variables }),
    });
    const body = await response.json().catch(() => ({ errors: [{ message: 'HTTP ' + response.status }] }));
    return body;
}

function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
        if (v === undefined || v === null || v === false) continue;
        if (k.startsWith('on')) node.addEventListener(k.substring(2), v);
        else if (k === 'className') node.className = v;
        else node.setAttribute(k, v === true ? '' : v);
    }
    for (const c of children.flat()) {
        if (c === null || c === undefined) continue;
        node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
}

function svg(tag, attrs = {}, ...children) {
    const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    for (const c of children.flat()) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return node;
}

function duration(ms) {
    const neg = ms < 0;
    let s = Math.floor(Math.abs(ms) / 1000);
    const d = Math.floor(s / 86400); s -= d * 86400;
    const h = Math.floor(s / 3600); s -= h * 3600;
    const m = Math.floor(s / 60); s -= m * 60;
    const text = d > 0 ? `${d}d ${h}h` : h > 0 ? `${h}h ${m}m` : m > 0 ? `${m}m ${s}s` : `${s}s`;
    return neg ? '-' + text : text;
}

const time = iso => iso ? new Date(iso).toISOString().replace('T', ' ').substring(0, 19) : '';
const errorText = body => (body.errors || []).map(e => (e.extensions && e.extensions.code ? e.extensions.code + ': ' : '')
    + e.message).join('; ');
const undefinedField = body => (body.errors || []).some(e => /FieldUndefined|undefined|Unknown|not defined/i
    .test(e.message + ' ' + JSON.stringify(e.extensions || {})));

function table(columns, rows, rowClass) {
    return el('div', { className: 'scroll' }, el('table', {},
        el('thead', {}, el('tr', {}, columns.map(c => el('th', { className: c.narrow ? 'hide-narrow' : null }, c.title)))),
        el('tbody', {}, rows.length === 0
            ? el('tr', {}, el('td', { colspan: columns.length }, 'None.'))
            : rows.map(r => el('tr', { className: rowClass ? rowClass(r) : null, 'data-id': r.id },
                columns.map(c => el('td', { className: c.narrow ? 'hide-narrow' : null }, c.value(r))))))));
}

// ---- sections -------------------------------------------------------------------------------------------------

/** A paged Relay list: `path` is the connection's field; the cursor stack lets the admin page back and forth. */
function listSection({ id, title, query, path, columns, rowClass, first = 20, note }) {
    return { id, title, paged: true, first, note, async render(box, state) {
        const body = await gql(query, { first, after: state.cursors[state.cursors.length - 1] || null });
        if (body.errors && !body.data?.[path]) {
            box.replaceChildren(undefinedField(body) ? el('p', { className: 'status' }, 'Not available on this server yet.')
                : el('p', { className: 'error' }, errorText(body)));
            return;
        }
        const conn = body.data[path];
        const rows = conn.edges.map(e => e.node);
        box.replaceChildren(
            note ? el('p', { className: 'status' }, note) : '',
            table(columns, rows, rowClass),
            el('div', { className: 'pager' },
                el('button', { type: 'button', disabled: state.cursors.length === 0, onclick: () => {
                    state.cursors.pop(); refresh(); } }, 'Previous'),
                ' ', el('span', { className: 'status' }, `page ${state.cursors.length + 1}`), ' ',
                el('button', { type: 'button', disabled: !conn.pageInfo.hasNextPage, onclick: () => {
                    state.cursors.push(conn.pageInfo.endCursor); refresh(); } }, 'Next')));
    } };
}

const ERASURES = listSection({
    id: 'erasures', title: 'Erasure requests', path: 'erasureRequests',
    note: 'Legal deadline: 30 days after the request. Overdue open requests are marked red.',
    query: `query Erasures($first: Int, $after: String) { erasureRequests(first: $first, after: $after) {
      edges { node { id status requestedAt completedAt deadline userId adminInitiated } }
      pageInfo { hasNextPage endCursor } } }`,
    rowClass: r => r.status !== 'COMPLETED' && Date.parse(r.deadline) < Date.now() ? 'overdue'
        : r.status !== 'COMPLETED' && Date.parse(r.deadline) - Date.now() < 5 * DAY_MS ? 'due-soon' : null,
    columns: [
        { title: 'Request', value: r => r.id.substring(0, 8), narrow: true },
        { title: 'Person', value: r => r.userId },
        { title: 'Status', value: r => el('span', { className: 'badge ' + r.status }, r.status) },
        { title: 'Requested', value: r => time(r.requestedAt), narrow: true },
        { title: 'Age', value: r => duration(Date.now() - Date.parse(r.requestedAt)) },
        { title: 'Time left', value: r => r.status === 'COMPLETED'
                ? 'done in ' + duration(Date.parse(r.completedAt) - Date.parse(r.requestedAt))
                : Date.parse(r.deadline) < Date.now() ? 'OVERDUE by ' + duration(Date.now() - Date.parse(r.deadline))
                    : duration(Date.parse(r.deadline) - Date.now()) },
        { title: 'By', value: r => r.adminInitiated ? 'admin' : 'person', narrow: true },
        { title: 'Certificate', value: r => r.status === 'COMPLETED'
                ? el('a', { href: '#certificate/' + encodeURIComponent(r.id), className: 'certificate' }, 'certificate')
                : '' },
    ],
});

const PROCESSORS = { id: 'processors', title: 'View processors and replays', async render(box) {
    const body = await gql(`{ viewProcessors { name running replaying caughtUp position headPosition lagEvents
        lagSeconds error replay { done total percent eventsPerSecond etaSeconds startedAt finished cancelled } } }`);
    if (!body.data) { box.replaceChildren(el('p', { className: 'error' }, errorText(body))); return; }
    const rows = body.data.viewProcessors.map(p => ({ ...p, id: p.name }));
    const status = p => p.error ? el('span', { className: 'badge bad' }, 'error: ' + p.error)
        : !p.running ? el('span', { className: 'badge bad' }, 'stopped')
        : p.replay && !p.replay.finished && !p.replay.cancelled ? el('span', { className: 'badge REQUESTED' }, 'replaying')
        : p.caughtUp ? el('span', { className: 'badge ok' }, 'caught up') : el('span', { className: 'badge' }, 'catching up');
    const progress = p => !p.replay ? '' : p.replay.cancelled ? el('span', { className: 'replay-progress' }, 'cancelled')
        : el('span', { className: 'replay-progress' },
        barOf(p.replay.percent), ` ${p.replay.percent.toFixed(1)} % · ${p.replay.done}/${p.replay.total} · `
        + `${Math.round(p.replay.eventsPerSecond)} ev/s · ETA ${p.replay.finished ? 'done'
            : p.replay.etaSeconds == null ? '?' : duration(p.replay.etaSeconds * 1000)}`);
    box.replaceChildren(table([
        { title: 'Processor', value: p => p.name },
        { title: 'Status', value: status },
        { title: 'Position', value: p => p.position ?? '', narrow: true },
        { title: 'Head', value: p => p.headPosition ?? '', narrow: true },
        { title: 'Lag (events)', value: p => p.lagEvents ?? '' },
        { title: 'Lag (s)', value: p => p.lagSeconds == null ? '' : p.lagSeconds.toFixed(1) },
        { title: 'Replay', value: progress },
        { title: '', value: p => p.replay && !p.replay.finished && !p.replay.cancelled
                ? el('button', { type: 'button', className: 'cancel-replay', 'data-processor': p.name,
                    onclick: () => cancelReplay(p.name) }, 'Cancel')
                : el('button', { type: 'button', className: 'replay', 'data-processor': p.name,
                    onclick: () => replay([p.name]) }, 'Replay') },
    ], rows), el('p', {}, el('button', { type: 'button', id: 'replay-all',
        onclick: () => replay(rows.map(r => r.name)) }, 'Replay all views'), ' ',
        el('span', { id: 'replay-message', className: 'status' }, state.replayMessage || '')));
} };

function barOf(percent) {
    const fill = el('span');
    fill.style.width = Math.max(0, Math.min(100, percent)) + '%'; // CSSOM: allowed by the style-src 'self' policy
    return el('span', { className: 'bar' }, fill);
}

async function replay(names) {
    const body = await gql(`mutation Replay($p: [String!]!) { replayViews(input: { processors: $p }) { __typename
        ... on ReplayStarted { processors } ... on ValidationFailed { message } } }`, { p: names });
    const r = body.data?.replayViews;
    state.replayMessage = r?.__typename === 'ReplayStarted' ? 'Replay started: ' + r.processors.join(', ')
        : r?.message || errorText(body);
    refresh();
}

async function cancelReplay(name) {
    const body = await gql(`mutation Cancel($p: String!) { cancelReplay(input: { processor: $p }) { __typename
        ... on ValidationFailed { message } } }`, { p: name });
    const r = body.data?.cancelReplay;
    state.replayMessage = r?.__typename === 'ReplayCancelled' ? 'Replay of ' + name + ' cancelled'
        : r?.message || errorText(body);
    refresh();
}

const ACCESS_LOG = listSection({
    id: 'access-log', title: 'Admin-access log', path: 'adminAccessLog',
    note: 'Every admin read of a person\'s data: who, whose, what, when and why.',
    query: `query Access($first: Int, $after: String) { adminAccessLog(first: $first, after: $after) {
      edges { node { id adminId subjectId what reason at } } pageInfo { hasNextPage endCursor } } }`,
    columns: [
        { title: 'When', value: r => time(r.at) },
        { title: 'Admin', value: r => r.adminId, narrow: true },
        { title: 'Person', value: r => r.subjectId },
        { title: 'What', value: r => r.what },
        { title: 'Why', value: r => r.reason ?? '' },
    ],
});

const PEOPLE = { id: 'people', title: 'People search', static: true, render(box) {
    const out = el('div', { id: 'people-result' });
    const form = el('form', { className: 'inline', id: 'people-form', onsubmit: async e => {
        e.preventDefault();
        const f = new FormData(form);
        const byEmail = String(f.get('query')).includes('@');
        const body = await gql(`query Person($u: ID, $e: String, $r: String!) { person(userId: $u, email: $e, reason: $r) {
            id username name email role createdAt } }`, { u: byEmail ? null : f.get('query'),
            e: byEmail ? f.get('query') : null, r: f.get('reason') });
        if (body.errors) { out.replaceChildren(el('p', { className: 'error' }, errorText(body))); return; }
        const p = body.data.person;
        if (!p) { out.replaceChildren(el('p', {}, 'Nobody matches.')); return; }
        out.replaceChildren(el('dl', {}, Object.entries(p).flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)])),
            trailForm(p.id, f.get('reason')));
    } },
        el('label', {}, 'User id or exact email', el('input', { name: 'query', required: true })),
        el('label', {}, 'Reason (recorded)', el('input', { name: 'reason', required: true })),
        el('button', { type: 'submit' }, 'Search'));
    box.replaceChildren(form, el('p', { className: 'status' },
        'An email is matched through its keyed hash; the search and its reason go into the access log.'), out);
} };

function trailForm(userId, reason) {
    const out = el('div', { className: 'trail' });
    const form = el('form', { className: 'inline', onsubmit: async e => {
        e.preventDefault();
        const f = new FormData(form);
        const body = await gql(`query Trail($id: ID!, $r: String!) { auditTrail(aggregateId: $id, reason: $r, first: 100) {
            events { sequence type timestamp actorId payloadJson } hasNextPage } }`, { id: f.get('aggregate'), r: f.get('reason') });
        if (body.errors) { out.replaceChildren(el('p', { className: 'error' }, errorText(body))); return; }
        out.replaceChildren(table([
            { title: '#', value: r => r.sequence }, { title: 'Event', value: r => r.type },
            { title: 'When', value: r => time(r.timestamp) }, { title: 'Actor', value: r => r.actorId ?? '', narrow: true },
            { title: 'Payload', value: r => el('pre', {}, r.payloadJson) },
        ], body.data.auditTrail.events.map(ev => ({ ...ev, id: ev.sequence }))));
    } },
        el('label', {}, 'Audit trail of', el('select', { name: 'aggregate' },
            el('option', { value: userId }, 'account ' + userId), el('option', { value: 'ledger-' + userId }, 'credit ledger'))),
        el('label', {}, 'Reason (recorded)', el('input', { name: 'reason', required: true, value: reason })),
        el('button', { type: 'submit' }, 'Show audit trail'));
    return el('div', {}, form, out);
}

/** Bars per day, drawn as SVG (no chart library). */
function barChart(title, points) {
    const w = 320, h = 140, pad = 24;
    const max = Math.max(1, ...points.map(p => p.value));
    const bw = (w - pad) / Math.max(1, points.length);
    return el('figure', {}, el('figcaption', {}, title), svg('svg', { viewBox: `0 0 ${w} ${h}`, role: 'img', 'aria-label': title },
        svg('line', { x1: pad, y1: h - pad, x2: w, y2: h - pad, stroke: '#999' }),
        svg('text', { x: 0, y: 12, 'font-size': 10 }, String(max)),
        points.map((p, i) => {
            const bh = (h - 2 * pad) * p.value / max;
            return svg('rect', { x: pad + i * bw + 1, y: h - pad - bh, width: Math.max(1, bw - 2), height: bh, fill: '#2563eb' },
                svg('title', {}, `${p.day}: ${p.value}`));
        }),
        points.length ? svg('text', { x: pad, y: h - 8, 'font-size': 9 }, points[0].day) : '',
        points.length > 1 ? svg('text', { x: w - 56, y: h - 8, 'font-size': 9 }, points[points.length - 1].day) : ''));
}

const ACTIVITY = { id: 'activity', title: 'Usage and revenue per day (last 30 days)', async render(box) {
    const body = await gql(`{ adminDailyActivity(days: 30) { day prompts tokens creditsCaptured creditsGranted
        grantsBySource { source credits } } }`);
    if (!body.data) {
        box.replaceChildren(el('p', { className: undefinedField(body) ? 'status' : 'error' },
            undefinedField(body) ? 'Not available on this server yet.' : errorText(body)));
        return;
    }
    const days = body.data.adminDailyActivity;
    const series = f => days.map(d => ({ day: d.day, value: f(d) }));
    const sources = [...new Set(days.flatMap(d => d.grantsBySource.map(g => g.source)))];
    box.replaceChildren(el('div', { className: 'charts' },
        barChart('Prompts', series(d => d.prompts)), barChart('Tokens', series(d => d.tokens)),
        barChart('Credits captured', series(d => d.creditsCaptured)),
        sources.map(s => barChart('Credits granted: ' + s,
            series(d => (d.grantsBySource.find(g => g.source === s) || { credits: 0 }).credits)))));
} };

const CONSISTENCY = { id: 'consistency', title: 'Consistency check (balances recomputed from the log)', async render(box) {
    const body = await gql(`{ consistencyCheck { checkedAt balancesChecked durationMillis
        differences { view documentId field expected actual } } }`);
    if (!body.data) {
        box.replaceChildren(el('p', { className: undefinedField(body) ? 'status' : 'error' },
            undefinedField(body) ? 'Not available on this server yet.' : errorText(body)));
        return;
    }
    const c = body.data.consistencyCheck;
    box.replaceChildren(
        el('p', {}, c ? `Last check ${time(c.checkedAt)}: ${c.balancesChecked} balances in ${c.durationMillis} ms, `
            + `${c.differences.length} difference(s), log read to position ${c.logPosition}.` : 'No check has run yet.'),
        c ? table([{ title: 'View', value: d => d.view }, { title: 'Document', value: d => d.documentId },
            { title: 'Field', value: d => d.field },
            { title: 'From the log', value: d => d.expected }, { title: 'In the view', value: d => d.actual }],
            c.differences.map(d => ({ ...d, id: d.documentId + '/' + d.field }))) : '',
        el('button', { type: 'button', id: 'run-consistency', onclick: async () => {
            await gql('mutation { runConsistencyCheck { checkedAt } }'); refresh(); } }, 'Run the check now'));
} };

// Other capabilities' admin lists (payments, data rights): short lists without cursors, newest first.
function plainSection({ id, title, query, path, columns, note, first = 50 }) {
    return { id, title, first, note, async render(box) {
        const body = await gql(query, { first });
        if (body.errors && !body.data?.[path]) {
            box.replaceChildren(undefinedField(body) ? el('p', { className: 'status' }, 'Not available on this server yet.')
                : el('p', { className: 'error' }, errorText(body)));
            return;
        }
        box.replaceChildren(note ? el('p', { className: 'status' }, note) : '', table(columns, body.data[path]));
    } };
}

const EXTENSIONS = [
    plainSection({ id: 'dead-letters', title: 'Payments dead letters', path: 'paymentDeadLetters',
        note: 'Stripe events whose processing failed after its retries; retry with retryPaymentDeadLetters.',
        query: `query DL { paymentDeadLetters { eventId type objectId cause retries enqueuedAt lastTriedAt } }`,
        columns: [{ title: 'Event', value: r => r.eventId }, { title: 'Type', value: r => r.type },
            { title: 'Object', value: r => r.objectId, narrow: true }, { title: 'Cause', value: r => r.cause },
            { title: 'Retries', value: r => r.retries, narrow: true }, { title: 'Last tried', value: r => time(r.lastTriedAt) }] }),
    plainSection({ id: 'retention-runs', title: 'Retention runs', path: 'retentionRuns',
        query: `query RR($first: Int) { retentionRuns(first: $first) { id ranAt heldPersons counts { rule count } } }`,
        columns: [{ title: 'Ran', value: r => time(r.ranAt) },
            { title: 'Shredded or removed', value: r => r.counts.map(c => c.rule + ': ' + c.count).join(', ') },
            { title: 'People on hold skipped', value: r => r.heldPersons, narrow: true }] }),
    plainSection({ id: 'legal-holds', title: 'Legal holds', path: 'legalHolds',
        note: 'Retention and erasure are suspended for these people; the reasons are in their audit trails.',
        query: `query LH($first: Int) { legalHolds(first: $first) { userId placedBy placedAt } }`,
        columns: [{ title: 'Person', value: r => r.userId }, { title: 'Placed by', value: r => r.placedBy, narrow: true },
            { title: 'Since', value: r => time(r.placedAt) }] }),
];

const SECTIONS = [ERASURES, PROCESSORS, ACCESS_LOG, PEOPLE, ACTIVITY, CONSISTENCY, ...EXTENSIONS];

// ---- shell ----------------------------------------------------------------------------------------------------

const state = { replayMessage: '', lists: {}, timer: null, busy: false };
const $ = id => document.getElementById(id);

function show(view) {
    $('signin').hidden = view !== 'signin';
    $('dashboard').hidden = view === 'signin';
    $('nav').hidden = view === 'signin';
}

async function certificate(requestId) {
    const body = await gql(`query C($id: ID!) { erasureCertificate(requestId: $id) { requestId subjectId scopes
        keyFingerprints eventsAffected viewDocumentsPurged requestedAt completedAt actorId legalBasis } }`, { id: requestId });
    const c = body.data?.erasureCertificate;
    $('dashboard').replaceChildren(el('section', { id: 'certificate' }, el('h2', {}, 'Erasure certificate'),
        c ? el('dl', {}, Object.entries(c).flatMap(([k, v]) => [el('dt', {}, k),
            el('dd', {}, Array.isArray(v) ? v.join(', ') : String(v))]))
            : el('p', { className: 'error' }, errorText(body) || 'No certificate (the erasure is not complete).'),
        el('p', {}, el('a', { href: '#erasures', id: 'back' }, 'Back to the dashboard'))));
}

function layout() {
    $('dashboard').replaceChildren(...SECTIONS.map(s => el('section', { id: s.id },
        el('h2', {}, s.title), el('div', { className: 'body', id: s.id + '-body' }, 'Loading...'))));
    SECTIONS.filter(s => s.static).forEach(s => s.render($(s.id + '-body')));
}

async function refresh() {
    if (state.busy || location.hash.startsWith('#certificate/') || $('dashboard').hidden) return;
    state.busy = true;
    try {
        if (!$('erasures')) layout();
        await Promise.all(SECTIONS.filter(s => !s.static).map(s => {
            state.lists[s.id] ??= { cursors: [] };
            return s.render($(s.id + '-body'), state.lists[s.id]).catch(e => {
                $(s.id + '-body').replaceChildren(el('p', { className: 'error' }, String(e)));
            });
        }));
        $('status').textContent = 'Updated ' + new Date().toISOString().substring(11, 19) + ' UTC';
    } finally {
        state.busy = false;
    }
}

async function route() {
    const hash = decodeURIComponent(location.hash || '');
    if (hash.startsWith('#certificate/')) {
        await certificate(hash.substring('#certificate/'.length));
    } else if (!$('erasures')) {
        layout();
        refresh();
    }
}

async function start() {
    const body = await gql('{ me { id username role } }');
    const me = body.data?.me;
    if (!me || me.role !== 'ADMIN') {
        show('signin');
        $('status').textContent = me ? 'This account is not an admin.' : 'Sign in with an admin account.';
        return;
    }
    show('dashboard');
    await route();
    clearInterval(state.timer);
    state.timer = setInterval(refresh, REFRESH_MS);
}

$('login-form').addEventListener('submit', async e => {
    e.preventDefault();
    const f = new FormData(e.target);
    const body = await gql(`mutation Login($input: LoginInput!) { login(input: $input) { __typename
        ... on InvalidCredentials { message } } }`,
        { input: { usernameOrEmail: f.get('username'), password: f.get('password') } });
    const r = body.data?.login;
    if (r?.__typename !== 'LoggedIn') {
        $('login-error').textContent = r?.message || errorText(body) || 'Sign-in failed.';
        return;
    }
    e.target.reset();
    $('login-error').textContent = '';
    start();
});

$('logout').addEventListener('click', async () => {
    await gql('mutation { logout }');
    clearInterval(state.timer);
    $('dashboard').replaceChildren();
    show('signin');
});

window.addEventListener('hashchange', route);
start();
