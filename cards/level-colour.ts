/**
 * Level colours: which Lark header template (and `text_tag` colour) shows a Guance issue level.
 * Guance's default levels are P0 #E94444, P1 #FF7931, P2 #FFB44A, P3 #C9C9C9; custom levels
 * (`issl_…`) carry their own name and hex colour.
 */
import type { HeaderTemplate } from './types.js';

const PRIORITY_TEMPLATES: readonly HeaderTemplate[] = ['red', 'orange', 'yellow', 'grey'];

/** Reference colours per header template: Guance's default level colours first, then Lark's palette. */
const TEMPLATE_COLOURS: ReadonlyArray<readonly [HeaderTemplate, string]> = [
  ['red', '#E94444'],
  ['red', '#F54A45'],
  ['orange', '#FF7931'],
  ['orange', '#FF8800'],
  ['yellow', '#FFB44A'],
  ['yellow', '#FFC60A'],
  ['grey', '#C9C9C9'],
  ['grey', '#8F959E'],
  ['green', '#34C724'],
  ['turquoise', '#04B49C'],
  ['wathet', '#7EC3F7'],
  ['blue', '#3370FF'],
  ['indigo', '#4954E6'],
  ['purple', '#7F3BF5'],
  ['violet', '#D136D1'],
  ['carmine', '#E0398A'],
];

function parseHex(colour: string): readonly [number, number, number] | null {
  const m = /^#?([0-9a-f]{3}|[0-9a-f]{6}|[0-9a-f]{8})$/i.exec(colour.trim());
  const hex = m?.[1];
  if (hex === undefined) return null;
  const full = hex.length === 3 ? [...hex].map((c) => c + c).join('') : hex.slice(0, 6);
  return [parseInt(full.slice(0, 2), 16), parseInt(full.slice(2, 4), 16), parseInt(full.slice(4, 6), 16)];
}

/** "Redmean" colour distance: cheap and close enough to perceived difference for picking a template. */
function colourDistance(a: readonly [number, number, number], b: readonly [number, number, number]): number {
  const rMean = (a[0] + b[0]) / 2;
  const dr = a[0] - b[0];
  const dg = a[1] - b[1];
  const db = a[2] - b[2];
  return (2 + rMean / 256) * dr * dr + 4 * dg * dg + (2 + (255 - rMean) / 256) * db * db;
}

/** The header template nearest to a hex colour (greys and near-greys map to `grey`), or `null`. */
export function templateForColour(colour: string): HeaderTemplate | null {
  const rgb = parseHex(colour);
  if (rgb === null) return null;
  if (Math.max(...rgb) - Math.min(...rgb) < 24) return 'grey';
  let best: HeaderTemplate = 'blue';
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const [template, hex] of TEMPLATE_COLOURS) {
    const ref = parseHex(hex);
    if (ref === null) continue;
    const d = colourDistance(rgb, ref);
    if (d < bestDistance) {
      best = template;
      bestDistance = d;
    }
  }
  return best;
}

function priorityIndex(name: string): number | null {
  const m = /^(?:p|system_level_)([0-3])$/i.exec(name.trim());
  return m?.[1] === undefined ? null : Number(m[1]);
}

/**
 * Header colour for a level: P0 red, P1 orange, P2 yellow, P3 grey (also `system_level_0..3`);
 * unknown or missing level grey; another named level by its nearest colour, else blue.
 */
export function levelTemplate(level: { name: string; color?: string } | null | undefined): HeaderTemplate {
  const name = level?.name?.trim() ?? '';
  const colour = level?.color?.trim() ?? '';
  if (name === '' && colour === '') return 'grey';
  const priority = priorityIndex(name);
  if (priority !== null) return PRIORITY_TEMPLATES[priority] ?? 'grey';
  const byColour = colour === '' ? null : templateForColour(colour);
  if (byColour !== null) return byColour;
  if (name === '' || /^(unknown|未知)$/i.test(name)) return 'grey';
  return 'blue';
}

const HEADER_TEMPLATES: ReadonlySet<string> = new Set<HeaderTemplate>([
  'blue',
  'wathet',
  'turquoise',
  'green',
  'yellow',
  'orange',
  'red',
  'carmine',
  'violet',
  'purple',
  'indigo',
  'grey',
  'default',
]);

/** True for a valid `header.template` value. */
export function isHeaderTemplate(value: unknown): value is HeaderTemplate {
  return typeof value === 'string' && HEADER_TEMPLATES.has(value);
}

/** `text_tag` colours are the header colours except that grey is called `neutral`. */
export function textTagColour(template: HeaderTemplate): string {
  return template === 'grey' || template === 'default' ? 'neutral' : template;
}
