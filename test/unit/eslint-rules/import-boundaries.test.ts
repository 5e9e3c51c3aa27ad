/** The import boundaries are checked by lint: the project's own ESLint config, on code placed where it would break them. */
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const eslint = new ESLint({ cwd: ROOT });

async function problems(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${ROOT}${file}` });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'local/import-boundaries').map((m) => m.message);
}

describe('import boundaries (eslint-rules/import-boundaries.js)', () => {
  it.each([
    ['src/ importing a handler', 'src/router.ts', "import { handleMessage } from '../handlers/commands/index.js';\nexport const x = handleMessage;"],
    ['src/ importing handlers/index.ts (not app.ts)', 'src/main.ts', "import { registerHandlers } from '../handlers/index.js';\nexport const x = registerHandlers;"],
    ['src/ importing a view', 'src/http/server.ts', "import { buildHelpCard } from '../../cards/help-card.js';\nexport const x = buildHelpCard;"],
    ['cards/ importing a value from src/', 'cards/parts.ts', "import { STATUS } from '../src/guance/schemas.js';\nexport const x = STATUS;"],
    ['cards/ importing a package', 'cards/parts.ts', "import { z } from 'zod';\nexport const x = z;"],
    ['a capability reaching into another one', 'handlers/commands/run-command.ts', "import { applyIssueAction } from '../issues/apply-action.js';\nexport const x = applyIssueAction;"],
    ['handlers/index.ts reaching past an index', 'handlers/index.ts', "import { syncIssues } from './sync/round.js';\nexport const x = syncIssues;"],
    ['a capability importing handlers/index.ts', 'handlers/sync/round.ts', "import { registerHandlers } from '../index.js';\nexport const x = registerHandlers;"],
  ])('fails on %s', async (_what, file, code) => {
    expect(await problems(file, code)).toHaveLength(1);
  });

  it.each([
    ['src/app.ts importing handlers/index.ts', 'src/app.ts', "import { registerHandlers } from '../handlers/index.js';\nexport const x = registerHandlers;"],
    ['cards/ importing types from src/', 'cards/types.ts', "import type { GuanceIssue } from '../src/guance/schemas.js';\nexport type X = GuanceIssue;"],
    ['cards/ importing its own files', 'cards/list-card.ts', "import { t } from './i18n.js';\nexport const x = t;"],
    ['a capability using another through its index', 'handlers/commands/run-command.ts', "import { applyIssueAction } from '../issues/index.js';\nexport const x = applyIssueAction;"],
    ['a capability using its own files', 'handlers/sync/round.ts', "import { scan } from './scan.js';\nexport const x = scan;"],
    ['handlers using src/ and cards/', 'handlers/sync/round.ts', "import { JOBS } from '../../src/queue/jobs.js';\nimport { t } from '../../cards/i18n.js';\nexport const x = [JOBS, t];"],
  ])('allows %s', async (_what, file, code) => {
    expect(await problems(file, code)).toEqual([]);
  });
});
