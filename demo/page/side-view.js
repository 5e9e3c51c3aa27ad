/** The side panes: Guance (issues, their comments, reply / status "in Guance"), urgent notifications, robots. */
import { cardTitle, renderCard, renderMarkdown } from './card-render.js';
import { h, syncList, time } from './dom.js';

const issueCache = new Map();
const robotCaches = new Map();
const STATUSES = [[10, 'Open'], [15, 'Working'], [20, 'Resolved'], [25, 'Closed'], [30, 'Pending']];

function issueItem(issue, actions) {
  const reply = h('input', { 'aria-label': `Comment in Guance on ${issue.name}`, placeholder: 'Comment as a Guance user…', autocomplete: 'off', 'data-keep': `greply-${issue.uuid}` });
  const status = h('select', { 'aria-label': `New status in Guance for ${issue.name}` },
    STATUSES.map(([value, name]) => h('option', { value: String(value), text: name, selected: value === issue.statusType })));
  return h('li', { class: 'issue', 'aria-label': `Guance issue ${issue.name}` }, [
    h('h3', {}, [h('span', { class: `level level-${issue.level}`, text: issue.level }), document.createTextNode(issue.name)]),
    h('p', { class: 'row' }, [h('span', { class: 'status', text: `Status: ${issue.status}` }), h('code', { class: 'muted', text: issue.uuid })]),
    h('ul', { class: 'replies', 'aria-label': `Comments on ${issue.name}` }, issue.replies.map((r) =>
      h('li', { text: `${time(r.at * 1000)} ${r.author}${r.type === 'change' ? ' (change)' : ''}: ${r.content}` }))),
    h('form', {
      'aria-label': `Comment in Guance on ${issue.name}`,
      onsubmit: (event) => {
        event.preventDefault();
        if (!reply.value.trim()) return;
        actions.reply(issue.uuid, reply.value.trim());
        reply.value = '';
      },
    }, [reply, h('button', { type: 'submit', text: 'Comment in Guance', 'aria-label': `Comment in Guance on ${issue.name}` })]),
    h('form', {
      'aria-label': `Change status in Guance of ${issue.name}`,
      onsubmit: (event) => {
        event.preventDefault();
        actions.status(issue.uuid, Number(status.value));
      },
    }, [status, h('button', { type: 'submit', text: 'Set status in Guance', 'aria-label': `Set status in Guance of ${issue.name}` })]),
  ]);
}

export function renderIssues(list, issues, actions) {
  const newestFirst = [...issues].reverse();
  syncList(list, issueCache, newestFirst, (i) => i.uuid, (i) => JSON.stringify(i), (i) => issueItem(i, actions));
}

export function renderUrgents(list, messages) {
  const lines = messages.flatMap((m) => m.urgents.map((u) => ({ ...u, title: m.kind === 'card' ? cardTitle(m.card) : 'a message' })));
  if (lines.length === 0) return;
  const sig = JSON.stringify(lines);
  if (list.dataset.sig === sig) return;
  list.dataset.sig = sig;
  list.replaceChildren(...lines.map((u) => h('li', { class: 'urgent', text: `🔔 ${time(u.at)} ${u.kind} urgent to ${u.names.join(', ')}: ${u.title}` })));
}

/** What a robot message says: a Lark custom-bot card is drawn as a card; DingTalk / WeCom markdown as text. */
function robotBody(body, people) {
  if (body.card && typeof body.card === 'object') return renderCard(body.card, { people });
  const text = body.markdown?.text ?? body.markdown?.content ?? body.markdown_v2?.content ?? body.actionCard?.text ?? body.text?.content ?? body.content?.text;
  const title = body.markdown?.title ?? body.actionCard?.title;
  const buttons = (body.actionCard?.btns ?? []).map((b) => `[${b.title}]`).join(' ');
  return h('div', {}, [
    title ? h('strong', { text: title }) : null,
    typeof text === 'string' ? renderMarkdown(document, text, { people }) : h('p', { text: JSON.stringify(body) }),
    buttons ? h('p', { class: 'muted', text: buttons }) : null,
  ]);
}

export function renderRobots(container, robots, people) {
  for (const robot of robots) {
    let section = container.querySelector(`section[data-robot="${CSS.escape(robot.id)}"]`);
    if (!section) {
      section = h('section', { class: 'pane', 'aria-label': robot.label, 'data-robot': robot.id }, [
        h('h2', { text: robot.label }),
        h('ol', { class: 'plain-list' }),
      ]);
      container.append(section);
      robotCaches.set(robot.id, new Map());
    }
    const list = section.querySelector('ol');
    const items = robot.messages.map((m, index) => ({ ...m, index })).reverse();
    syncList(list, robotCaches.get(robot.id), items, (m) => String(m.index), () => '1', (m) =>
      h('li', { class: 'robot-msg' }, [h('p', { class: 'muted', text: time(m.at) }), robotBody(m.body, people)]));
  }
}
