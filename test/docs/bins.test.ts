import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The README's quick start and the demo's banner say `npx terminal-sim purchase ...`: npx runs the package's own bin
// file as a program, so each must be executable (the build sets the mode; tsc alone writes files without it).
const root = fileURLToPath(new URL('../../', import.meta.url));
const bins = JSON.parse(readFileSync(`${root}package.json`, 'utf8')).bin as Record<string, string>;

describe('the package bins', () => {
  it.each(Object.entries(bins))('%s runs as a program and answers --help', (_name, file) => {
    const run = spawnSync(`${root}${file}`, ['--help'], { encoding: 'utf8', timeout: 20_000 });
    expect(run.error).toBeUndefined();
    expect(run.status).toBe(0);
    expect(run.stdout.length + run.stderr.length).toBeGreaterThan(0);
  });
});
