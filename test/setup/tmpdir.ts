// The suite's temporary files (journals, logs, pty links, child processes' files) go into one folder of the run's own,
// removed when the run ends: about 300 folders a run would otherwise stay in the system's temporary folder.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'posgw-tests-'));
  // os.tmpdir() reads TMPDIR: the test workers and every process they start inherit it
  process.env.TMPDIR = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
