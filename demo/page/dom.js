/** Small DOM helpers shared by the page's views (no framework: the page is plain ES modules). */

/** An element of `doc` with props (`class`, `text`, `on<event>`, attributes) and children; `doc` keeps it testable. */
export function elementIn(doc, tag, props = {}, children = []) {
  const node = doc.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

export function h(tag, props = {}, children = []) {
  return elementIn(document, tag, props, children);
}

export const time = (ms) => new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });

/**
 * Keeps `container`'s children in step with `items`, rebuilding only the items whose signature changed, and
 * leaving unchanged nodes where they are: moving a node would blur a field the person is typing in. A rebuilt
 * node gets back the text of its `[data-keep]` fields (a half-written thread reply survives a new bot answer).
 */
export function syncList(container, cache, items, keyOf, sigOf, build) {
  const seen = new Set();
  let index = 0;
  for (const item of items) {
    const key = keyOf(item);
    const sig = sigOf(item);
    seen.add(key);
    let entry = cache.get(key);
    if (!entry || entry.sig !== sig) {
      const node = build(item);
      if (entry) carryFields(entry.node, node);
      if (entry?.node.parentNode === container) container.replaceChild(node, entry.node);
      entry = { sig, node };
      cache.set(key, entry);
    }
    const at = container.children[index];
    if (at !== entry.node) container.insertBefore(entry.node, at ?? null);
    index += 1;
  }
  for (const [key, entry] of cache) {
    if (!seen.has(key)) {
      entry.node.remove();
      cache.delete(key);
    }
  }
}

function carryFields(from, to) {
  const active = document.activeElement;
  for (const field of from.querySelectorAll('[data-keep]')) {
    const twin = to.querySelector(`[data-keep="${CSS.escape(field.dataset.keep)}"]`);
    if (!twin) continue;
    twin.value = field.value;
    if (field === active) queueMicrotask(() => twin.focus());
  }
}

/** A short-lived message in the notifications region (announced politely to screen readers). */
export function toast(text, type = 'info') {
  const box = document.getElementById('toasts');
  const node = h('p', { class: `toast toast-${type}`, text });
  box.append(node);
  setTimeout(() => node.remove(), 6_000);
}

export async function post(path, body) {
  const response = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) });
  const json = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(json.error ?? `HTTP ${response.status}${json.botStatus ? ` (the bot answered ${json.botStatus})` : ''}`);
  return json;
}
