import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/*
 * `npm run docs:api` renders the API reference from the doc comments of the
 * public entry points (typedoc.json). A `{@link}` to a name the reference
 * does not hold, a malformed tag or an entry point TypeDoc cannot read makes
 * it warn, and the page a shop reads would be broken there, so any warning
 * fails here. `--emit none` checks without writing HTML.
 */
describe('the API reference', () => {
  it('builds from the public entry points of @fedrec/client and @fedrec/core without a warning', () => {
    const run = spawnSync(process.execPath, [join(ROOT, 'node_modules/typedoc/bin/typedoc'), '--emit', 'none', '--treatWarningsAsErrors'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(`${run.stdout}${run.stderr}`).not.toMatch(/warning|error/i);
    expect(run.status).toBe(0);
  }, 120_000);
});
