/**
 * Lark card JSON (2.0, and the 1.0 shape robots still use) → DOM elements, for the demo page.
 *
 * Pure: it reads the card and builds nodes, nothing else; what a click means is the caller's `onAction`. No
 * innerHTML anywhere (card text comes from issue titles that anyone can write). An element it does not know, or
 * one that throws, becomes a plain text fallback: a card never breaks the page.
 *
 * onAction receives what Lark would put in the callback's `action`: {value, tag, option?, input_value?, form_value?}.
 */

import { elementIn } from './dom.js';

/** @typedef {{ doc?: Document, people?: {openId: string, name: string}[], onAction?: (action: object) => void, keyPrefix?: string }} RenderContext */

const TEMPLATES = new Set(['blue', 'wathet', 'turquoise', 'green', 'yellow', 'orange', 'red', 'carmine', 'violet', 'purple', 'indigo', 'grey', 'default']);

const isObject = (value) => value !== null && typeof value === 'object' && !Array.isArray(value);
const textOf = (node) => (isObject(node) ? String(node.content ?? node.text ?? '') : typeof node === 'string' ? node : '');

const el = elementIn;

/** Every string content under a node, for the fallback of an element we cannot draw. */
export function plainTextOf(node, out = []) {
  if (typeof node === 'string') return out;
  if (Array.isArray(node)) node.forEach((item) => plainTextOf(item, out));
  else if (isObject(node)) {
    for (const [key, value] of Object.entries(node)) {
      if ((key === 'content' || key === 'text') && typeof value === 'string') out.push(value);
      else plainTextOf(value, out);
    }
  }
  return out;
}

// --- markdown (the subset Lark cards use: bold, italic, strike, code, links, <at>, <font>, headings, lists, quotes)

const INLINE = /<at id=['"]?([^'">\s]+)['"]?><\/at>|<font color=['"]?([\w-]+)['"]?>([\s\S]*?)<\/font>|\*\*([\s\S]+?)\*\*|~~([\s\S]+?)~~|\[([^\]]+)\]\(([^)\s]+)\)|`([^`]+)`|\*([^*\s][^*]*?)\*/g;

function inline(doc, text, ctx) {
  const nodes = [];
  let last = 0;
  for (const match of text.matchAll(INLINE)) {
    if (match.index > last) nodes.push(doc.createTextNode(text.slice(last, match.index)));
    last = match.index + match[0].length;
    const [, atId, colour, coloured, bold, strike, linkText, href, code, italic] = match;
    if (atId !== undefined) {
      const person = (ctx.people ?? []).find((p) => p.openId === atId);
      nodes.push(el(doc, 'span', { class: 'at', text: `@${atId === 'all' ? 'all' : (person?.name ?? atId)}` }));
    } else if (colour !== undefined) nodes.push(el(doc, 'span', { class: `font-${colour}` }, inline(doc, coloured, ctx)));
    else if (bold !== undefined) nodes.push(el(doc, 'strong', {}, inline(doc, bold, ctx)));
    else if (strike !== undefined) nodes.push(el(doc, 's', {}, inline(doc, strike, ctx)));
    else if (linkText !== undefined) nodes.push(link(doc, linkText, href));
    else if (code !== undefined) nodes.push(el(doc, 'code', { text: code }));
    else if (italic !== undefined) nodes.push(el(doc, 'em', {}, inline(doc, italic, ctx)));
  }
  if (last < text.length) nodes.push(doc.createTextNode(text.slice(last)));
  return nodes;
}

/** Only http(s) links become links: a card must not be able to run script in the page. */
function link(doc, text, href) {
  return /^https?:\/\//i.test(href) ? el(doc, 'a', { href, target: '_blank', rel: 'noopener noreferrer', text }) : doc.createTextNode(text);
}

export function renderMarkdown(doc, content, ctx = {}) {
  const box = el(doc, 'div', { class: 'md' });
  for (const line of String(content).split('\n')) {
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    const item = /^\s*[-*]\s+(.*)$/.exec(line);
    const quote = /^>\s?(.*)$/.exec(line);
    if (heading) box.append(el(doc, 'p', { class: 'md-heading' }, inline(doc, heading[2], ctx)));
    else if (item) box.append(el(doc, 'p', { class: 'md-item' }, [doc.createTextNode('• '), ...inline(doc, item[1], ctx)]));
    else if (quote) box.append(el(doc, 'p', { class: 'md-quote' }, inline(doc, quote[1], ctx)));
    else box.append(el(doc, 'p', {}, line === '' ? [doc.createTextNode('\u00a0')] : inline(doc, line, ctx)));
  }
  return box;
}

// --- interactive elements

const callbackValue = (element) => {
  const behaviour = (element.behaviors ?? []).find((b) => b?.type === 'callback');
  return behaviour ? behaviour.value : element.value;
};
const openUrl = (element) => (element.behaviors ?? []).find((b) => b?.type === 'open_url')?.default_url ?? element.url;
const labelOf = (element, fallback) => textOf(element.placeholder) || textOf(element.label) || element.name || fallback;

function button(doc, element, ctx, form) {
  const label = textOf(element.text) || 'Button';
  // As in markdown: only http(s) URLs become links.
  const url = /^https?:\/\//i.test(openUrl(element) ?? '') ? openUrl(element) : undefined;
  const value = callbackValue(element);
  if (url && value === undefined) {
    return el(doc, 'a', { class: `card-button link-button type-${element.type ?? 'default'}`, href: url, target: '_blank', rel: 'noopener noreferrer', text: label });
  }
  const submits = form && element.form_action_type === 'submit';
  return el(doc, 'button', {
    type: submits ? 'submit' : 'button',
    class: `card-button type-${element.type ?? 'default'}`,
    disabled: element.disabled === true,
    text: label,
    onclick: submits ? undefined : () => ctx.onAction?.({ value, tag: 'button', ...(element.name ? { name: element.name } : {}) }),
  });
}

function select(doc, element, ctx, form, person) {
  const label = labelOf(element, person ? 'Pick a person' : 'Choose');
  const options = person
    ? (element.options?.length ? element.options.map((o) => ({ value: o.value, text: (ctx.people ?? []).find((p) => p.openId === o.value)?.name ?? o.value })) : (ctx.people ?? []).map((p) => ({ value: p.openId, text: p.name })))
    : (element.options ?? []).map((o) => ({ value: String(o.value), text: textOf(o.text) || String(o.value) }));
  const node = el(doc, 'select', { class: 'card-select', 'aria-label': label, name: element.name }, [
    el(doc, 'option', { value: '', text: label, disabled: true, selected: true }),
    ...options.map((o) => el(doc, 'option', { value: o.value, text: o.text })),
  ]);
  if (!form) {
    node.addEventListener('change', () => ctx.onAction?.({ value: callbackValue(element), tag: element.tag, option: node.value }));
  }
  return node;
}

function input(doc, element, ctx, form) {
  const label = labelOf(element, 'Input');
  // data-keep (dom.js): half-written text survives the card being drawn again when an update streams in.
  const keep = ctx.keyPrefix && element.name ? `${ctx.keyPrefix}-${element.name}` : undefined;
  const node = el(doc, 'input', {
    type: 'text', class: 'card-input', 'aria-label': label, placeholder: label, name: element.name, maxlength: element.max_length, 'data-keep': keep,
  });
  if (form) return node;
  // A standalone input calls back when the person presses Enter, as in Lark.
  node.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') ctx.onAction?.({ value: callbackValue(element), tag: 'input', input_value: node.value });
  });
  return node;
}

function formElement(doc, element, ctx) {
  const node = el(doc, 'form', { class: 'card-form', 'aria-label': element.name ?? 'Card form' });
  node.append(...renderElements(doc, element.elements, ctx, node));
  node.addEventListener('submit', (event) => {
    event.preventDefault();
    const values = {};
    for (const field of node.querySelectorAll('input[name], select[name]')) values[field.name] = field.value;
    const submit = findSubmit(element.elements);
    ctx.onAction?.({ value: submit ? callbackValue(submit) : undefined, tag: 'button', form_value: values, ...(submit?.name ? { name: submit.name } : {}) });
  });
  return node;
}

function findSubmit(elements) {
  for (const element of elements ?? []) {
    if (element?.tag === 'button' && element.form_action_type === 'submit') return element;
    const nested = findSubmit(element?.elements ?? (element?.columns ?? []).flatMap((c) => c?.elements ?? []));
    if (nested) return nested;
  }
  return undefined;
}

// --- layout and text elements

function renderElement(doc, element, ctx, form) {
  if (!isObject(element)) return fallback(doc, element);
  switch (element.tag) {
    case 'markdown':
    case 'lark_md':
      return renderMarkdown(doc, element.content ?? '', ctx);
    case 'plain_text':
      return el(doc, 'p', { class: 'plain', text: textOf(element) });
    case 'div': {
      const text = element.text?.tag === 'lark_md' ? renderMarkdown(doc, textOf(element.text), ctx) : el(doc, 'p', { text: textOf(element.text) });
      const fields = (element.fields ?? []).map((f) => renderMarkdown(doc, textOf(f.text), ctx));
      return el(doc, 'div', { class: `card-div ${element.text?.text_color ? `font-${element.text.text_color}` : ''}` }, [text, ...fields]);
    }
    case 'hr':
      return el(doc, 'hr');
    case 'note':
      return el(doc, 'div', { class: 'card-note' }, renderElements(doc, element.elements, ctx, form));
    case 'column_set':
      return el(doc, 'div', { class: 'column-set' }, (element.columns ?? []).map((c) => renderElement(doc, c, ctx, form)));
    case 'column':
      return el(doc, 'div', { class: 'column', style: element.weight ? `flex: ${Number(element.weight) || 1}` : undefined }, renderElements(doc, element.elements, ctx, form));
    case 'action':
      return el(doc, 'div', { class: 'card-actions' }, renderElements(doc, element.actions, ctx, form));
    case 'collapsible_panel':
      return el(doc, 'details', {}, [el(doc, 'summary', { text: textOf(element.header?.title) || 'Details' }), ...renderElements(doc, element.elements, ctx, form)]);
    case 'button':
      return button(doc, element, ctx, form);
    case 'select_static':
      return select(doc, element, ctx, form, false);
    case 'select_person':
      return select(doc, element, ctx, form, true);
    case 'input':
      return input(doc, element, ctx, form);
    case 'form':
      return formElement(doc, element, ctx);
    default:
      return fallback(doc, element);
  }
}

function fallback(doc, element) {
  const tag = isObject(element) && typeof element.tag === 'string' ? element.tag : typeof element;
  const words = plainTextOf(element).join(' ');
  return el(doc, 'p', { class: 'card-fallback', text: `[${tag}]${words ? ` ${words}` : ''}` });
}

export function renderElements(doc, elements, ctx, form) {
  if (!Array.isArray(elements)) return [];
  return elements.map((element) => {
    try {
      return renderElement(doc, element, ctx, form);
    } catch {
      return fallback(doc, element);
    }
  });
}

/** The card's title (header, else the summary), for labels. */
export function cardTitle(card) {
  return textOf(card?.header?.title) || textOf(card?.config?.summary) || 'Card';
}

/** @param {unknown} card  @param {RenderContext} ctx  @returns {HTMLElement} */
export function renderCard(card, ctx = {}) {
  const doc = ctx.doc ?? document;
  const title = cardTitle(card);
  const article = el(doc, 'article', { class: 'card', 'aria-label': `Card: ${title}` });
  try {
    if (!isObject(card)) throw new Error('not a card');
    const header = card.header;
    if (isObject(header)) {
      const template = TEMPLATES.has(header.template) ? header.template : 'default';
      const tags = (header.text_tag_list ?? []).map((t) => el(doc, 'span', { class: `tag tag-${t?.color ?? 'neutral'}`, text: textOf(t?.text) }));
      article.append(el(doc, 'header', { class: `card-header tpl-${template}` }, [
        el(doc, 'h3', { class: 'card-title', text: title }),
        textOf(header.subtitle) ? el(doc, 'p', { class: 'card-subtitle', text: textOf(header.subtitle) }) : null,
        tags.length ? el(doc, 'p', { class: 'card-tags' }, tags) : null,
      ]));
    }
    const elements = card.body?.elements ?? card.elements ?? [];
    article.append(el(doc, 'div', { class: 'card-body' }, renderElements(doc, elements, ctx)));
  } catch {
    article.append(fallback(doc, card));
  }
  return article;
}
