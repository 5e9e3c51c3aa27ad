/** The card layer stays pure: imports only from itself, no I/O or ambient state, small kebab-case files. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CARDS_DIR = fileURLToPath(new URL('../../../cards/', import.meta.url));
const files = readdirSync(CARDS_DIR).filter((name) => name.endsWith('.ts'));

describe('cards/ purity', () => {
  it('has the expected modules', () => {
    expect(files).toEqual(
      expect.arrayContaining(['types.ts', 'i18n.ts', 'parts.ts', 'issue-card.ts', 'help-card.ts', 'list-card.ts', 'result-card.ts']),
    );
  });

  for (const name of files) {
    it(`${name}: relative .js imports only, no I/O, no ambient state, under 300 lines`, () => {
      const source = readFileSync(join(CARDS_DIR, name), 'utf8');
      expect(name).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*\.ts$/);
      expect(source.split('\n').length).toBeLessThan(300);
      const specifiers = [...source.matchAll(/\bfrom\s+'([^']+)'/g)].map((m) => m[1] ?? '');
      for (const specifier of specifiers) expect(specifier).toMatch(/^\.\/[a-z0-9-]+\.js$/);
      expect(source).not.toMatch(/\bimport\s*\(/);
      expect(source).not.toMatch(/\brequire\s*\(/);
      expect(source).not.toMatch(/\b(?:process|console|fetch|Date\.now|Math\.random|setTimeout|setInterval)\b/);
      expect(source).not.toMatch(/^export default/m);
      expect(source).not.toMatch(/^(?:export\s+)?let\s/m);
    });
  }
});
