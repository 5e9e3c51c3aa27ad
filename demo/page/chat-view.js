/** The group chat: cards and text messages in order, each with its thread (replies under it) and a reply box. */
import { cardTitle, renderCard } from './card-render.js';
import { h, syncList, time } from './dom.js';

const cache = new Map();

/** Top-level messages of the chat, each with its thread replies (Lark: replies carry root_id). */
export function threadsOf(messages, chatId) {
  const inChat = messages.filter((m) => m.chatId === chatId);
  const roots = inChat.filter((m) => !m.rootId || !inChat.some((r) => r.id === m.rootId));
  return roots.map((root) => ({ root, replies: inChat.filter((m) => m.rootId === root.id) }));
}

function urgentLines(message) {
  return message.urgents.map((u) => h('p', { class: 'urgent', text: `🔔 Urgent (${u.kind}) sent to ${u.names.join(', ')} at ${time(u.at)}` }));
}

function messageBody(message, ctx) {
  if (message.kind === 'card') {
    return renderCard(message.card, { people: ctx.people, onAction: (action) => ctx.onAction(message.id, action), keyPrefix: `card-${message.id}` });
  }
  return h('p', { class: 'bubble', text: message.text ?? '' });
}

function messageNode(tag, message, ctx) {
  return h(tag, { class: `msg from-${message.from.kind}` }, [
    h('p', { class: 'msg-meta' }, [h('strong', { text: message.from.name }), document.createTextNode(` · ${time(message.at)}`)]),
    messageBody(message, ctx),
    ...urgentLines(message),
  ]);
}

function threadItem({ root, replies }, ctx) {
  const subject = root.kind === 'card' ? cardTitle(root.card) : (root.text ?? '').slice(0, 40);
  const li = messageNode('li', root, ctx);
  if (replies.length > 0) {
    li.append(h('ol', { class: 'thread', 'aria-label': `Thread of ${subject}` }, replies.map((m) => messageNode('li', m, ctx))));
  }
  const field = h('input', { 'aria-label': `Thread reply to ${subject}`, placeholder: 'Reply in thread…', autocomplete: 'off', 'data-keep': `reply-${root.id}` });
  li.append(h('form', {
    class: 'thread-reply',
    onsubmit: (event) => {
      event.preventDefault();
      const text = field.value.trim();
      if (!text) return;
      field.value = '';
      ctx.onThreadReply(root.id, text);
    },
  }, [field, h('button', { type: 'submit', text: 'Reply', 'aria-label': `Reply in thread to ${subject}` })]));
  return li;
}

export function renderChat(container, snapshot, chatId, ctx) {
  const items = threadsOf(snapshot.messages, chatId);
  const nearBottom = container.scrollHeight - container.scrollTop - container.clientHeight < 80;
  const before = container.children.length;
  syncList(container, cache, items, (item) => item.root.id, (item) => JSON.stringify(item), (item) => threadItem(item, ctx));
  // Follow new messages only when the person is already at the bottom (reading history stays put).
  if (nearBottom || before === 0) container.scrollTop = container.scrollHeight;
}

export function renderTabs(list, snapshot, chatId, onPick) {
  list.replaceChildren(...snapshot.chats.map((chat) => h('li', {}, [
    h('button', {
      type: 'button',
      'aria-pressed': String(chat.id === chatId),
      text: chat.kind === 'war-room' ? `War room: ${chat.name}` : chat.name,
      onclick: () => onPick(chat),
    }),
  ])));
}
