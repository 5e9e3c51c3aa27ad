/**
 * The demo page: one EventSource of snapshots (the stand-ins' state) drives every view; every control POSTs to
 * the page server, which turns it into what Lark or Guance would send the bot. No build step: plain ES modules.
 */
import { post, toast } from './dom.js';
import { renderChat, renderTabs } from './chat-view.js';
import { renderIssues, renderRobots, renderUrgents } from './side-view.js';

const $ = (id) => document.getElementById(id);
const state = { snapshot: null, chatId: null, tabsSig: '' };

const person = () => $('person').value;
const notify = () => $('notify').checked;

/** Runs a page action; its failure becomes an error toast instead of an unhandled rejection. */
async function attempt(what, action) {
  try {
    return await action();
  } catch (error) {
    toast(`${what} failed: ${error.message}`, 'error');
    return undefined;
  }
}

const chatCtx = {
  get people() {
    return state.snapshot?.people ?? [];
  },
  async onAction(messageId, action) {
    const answer = await attempt('The click', () => post('/api/click', {
      person: person(),
      messageId,
      value: action.value,
      tag: action.tag,
      ...(action.option !== undefined ? { option: action.option } : {}),
      ...(action.input_value !== undefined ? { inputValue: action.input_value } : {}),
      ...(action.form_value !== undefined ? { formValue: action.form_value } : {}),
    }));
    const content = answer?.toast?.content ?? answer?.toast?.i18n?.en_us;
    if (content) toast(content, answer.toast.type);
  },
  onThreadReply(rootId, text) {
    void attempt('The reply', () => post('/api/say', { person: person(), text, mentionBot: false, chatId: state.chatId, rootId }));
  },
};

const guanceActions = {
  reply: (issue, text) => attempt('The Guance comment', () => post('/api/guance/reply', { issue, text, author: 'Guance User', notify: notify() })),
  status: (issue, statusType) => attempt('The Guance status change', () => post('/api/guance/status', { issue, statusType, author: 'Guance User', notify: notify() })),
};

function pickChat(chat) {
  state.chatId = chat.id;
  state.tabsSig = '';
  $('chat').setAttribute('aria-label', chat.kind === 'war-room' ? `War room: ${chat.name}` : 'Group chat');
  $('chat-title').textContent = chat.kind === 'war-room' ? `War room: ${chat.name}` : 'Group chat';
  render();
}

function fillPeople(people) {
  const select = $('person');
  if (select.options.length > 0) return;
  for (const p of people) select.append(new Option(p.name, p.openId));
}

function render() {
  const snapshot = state.snapshot;
  if (!snapshot) return;
  state.chatId ??= snapshot.chats[0]?.id;
  fillPeople(snapshot.people);
  const tabsSig = JSON.stringify([state.chatId, snapshot.chats]);
  if (tabsSig !== state.tabsSig) {
    state.tabsSig = tabsSig;
    renderTabs($('chat-tabs'), snapshot, state.chatId, pickChat);
  }
  renderChat($('messages'), snapshot, state.chatId, chatCtx);
  renderIssues($('issues'), snapshot.issues, guanceActions);
  renderUrgents($('urgents'), snapshot.messages);
  renderRobots($('robots'), snapshot.robots, snapshot.people);
}

function connect() {
  const events = new EventSource('/events');
  events.addEventListener('open', () => ($('connection').textContent = 'Connected: live updates from the stand-ins.'));
  events.addEventListener('error', () => ($('connection').textContent = 'Disconnected: retrying…'));
  events.addEventListener('snapshot', (event) => {
    state.snapshot = JSON.parse(event.data);
    render();
  });
}

function wireForms() {
  $('compose').addEventListener('submit', (event) => {
    event.preventDefault();
    const text = $('text').value.trim();
    if (!text) return;
    $('text').value = '';
    void attempt('The message', () => post('/api/say', { person: person(), text, mentionBot: $('mention').checked, chatId: state.chatId }));
  });
  $('new-issue').addEventListener('submit', (event) => {
    event.preventDefault();
    const name = $('issue-title').value.trim();
    if (!name) return;
    void attempt('Creating the issue', () => post('/api/guance/issue', { name, level: $('issue-level').value, notify: notify() }));
  });
  $('burst').addEventListener('click', () => attempt('The burst', () => post('/api/guance/burst', { level: 'P2', notify: notify() })));
  for (const button of document.querySelectorAll('[data-source]')) {
    button.addEventListener('click', () => attempt(button.textContent, async () => {
      await post(`/api/source/${button.dataset.source}`);
      toast(`${button.textContent}: sent to the bot's webhook`, 'success');
    }));
  }
}

wireForms();
connect();
