/**
 * The import boundaries of ../shared/DESIGN.md ("Layout"), checked on every lint:
 *   - src/ is the framework: it never imports handlers/ or cards/, except src/app.ts → handlers/index.ts;
 *   - cards/ is pure views: it imports its own files, and anything else only as types;
 *   - a capability in handlers/<name>/ uses another only through handlers/<other>/index.ts;
 *     handlers/index.ts registers capabilities through their index.ts too.
 */
import { dirname, join, relative, resolve, sep } from 'node:path';

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..');

/** Repo-relative path with forward slashes and the .ts the compiled .js specifier stands for. */
function repoPath(file) {
  return relative(ROOT, file).split(sep).join('/').replace(/\.js$/, '.ts');
}

function isTypeOnly(node) {
  if (node.importKind === 'type' || node.exportKind === 'type') return true;
  const specifiers = node.specifiers ?? [];
  return specifiers.length > 0 && specifiers.every((s) => s.importKind === 'type' || s.exportKind === 'type');
}

/** The reason an import breaks a boundary, or null. `from` and `to` are repo-relative; `to` is null for a package. */
export function boundaryProblem(from, to, typeOnly) {
  if (from.startsWith('src/')) {
    if (to?.startsWith('handlers/')) {
      return from === 'src/app.ts' && to === 'handlers/index.ts' ? null : 'src/ must not import handlers/ (only src/app.ts imports handlers/index.ts)';
    }
    if (to?.startsWith('cards/')) return 'src/ must not import cards/ (views belong to handlers/)';
    return null;
  }
  if (from.startsWith('cards/')) {
    if (to?.startsWith('cards/') || typeOnly) return null;
    return 'cards/ imports only its own files, and anything else as types (import type)';
  }
  if (from.startsWith('handlers/') && to?.startsWith('handlers/')) {
    const fromParts = from.split('/');
    const toParts = to.split('/');
    const fromCapability = fromParts.length > 2 ? fromParts[1] : null;
    const toCapability = toParts.length > 2 ? toParts[1] : null;
    if (toCapability === null) return fromCapability === null ? null : 'a capability must not import handlers/index.ts';
    if (toCapability === fromCapability) return null;
    if (toParts.length === 3 && toParts[2] === 'index.ts') return null;
    return `handlers/${toCapability}/ is used through its index.ts, not ${to}`;
  }
  return null;
}

export default {
  meta: {
    type: 'problem',
    docs: { description: 'Import boundaries between src/, handlers/ and cards/ (DESIGN.md "Layout")' },
    schema: [],
  },
  create(context) {
    const from = repoPath(context.filename);
    const check = (node, source) => {
      if (!source || typeof source.value !== 'string') return;
      const specifier = source.value;
      const to = specifier.startsWith('.') ? repoPath(join(dirname(context.filename), specifier)) : null;
      const problem = boundaryProblem(from, to, isTypeOnly(node));
      if (problem) context.report({ node: source, message: `${problem} (import '${specifier}')` });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source),
      ExportNamedDeclaration: (node) => check(node, node.source),
      ExportAllDeclaration: (node) => check(node, node.source),
      ImportExpression: (node) => check(node, node.source),
    };
  },
};
