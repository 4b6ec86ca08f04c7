import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decide } from '../../../terminal-sim/acquirer/decide.js';
import { RulesError, defaultRules, loadRulesFile, parseRules, startAcquirer } from '../../../terminal-sim/acquirer/index.js';

const dir = mkdtempSync(join(tmpdir(), 'acquirer-rules-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function rulesError(input: unknown): RulesError {
  try {
    parseRules(input);
  } catch (e) {
    if (e instanceof RulesError) return e;
    throw e;
  }
  throw new Error('expected a RulesError');
}

describe('acquirer rules: validation', () => {
  it('takes the defaults for omitted sections and freezes the result', () => {
    const rules = parseRules({});
    expect(rules).toEqual(defaultRules);
    expect(Object.isFrozen(rules.amountEndings)).toBe(true);
    expect(Object.isFrozen(rules.timings)).toBe(true);
  });

  it('replaces a given section whole and keeps the others', () => {
    const rules = parseRules({ amountEndings: { '42': '57', '43': 'late' }, timings: { lateMs: 500 } });
    expect(rules.amountEndings).toEqual({ '42': '57', '43': 'late' });
    expect(rules.timings).toEqual({ slowMs: defaultRules.timings.slowMs, lateMs: 500 });
  });

  it.each<[unknown, string, string]>([
    [{ amountEnding: {} }, 'rules', 'unknown key "amountEnding"'],
    [{ timings: { slow: 1 } }, 'rules.timings', 'unknown key "slow"'],
    [{ cards: { '4761739001010119': { balance: 1, limit: 2 } } }, 'rules.cards["476173******0119"]', 'unknown key "limit"'],
    [{ amountEndings: { '5': '05' } }, 'rules.amountEndings["5"]', 'two digits'],
    [{ amountEndings: { '05': 'decline' } }, 'rules.amountEndings["05"]', 'response code or one of slow, late, never, drop'],
    [{ cards: { '4761739001010119': { balance: -1 } } }, 'rules.cards["476173******0119"].balance', 'non-negative integer'],
    [{ cards: { '4761739001010119': { balance: 10.5 } } }, 'rules.cards["476173******0119"].balance', 'non-negative integer'],
    [{ cards: { '4761739001010119': { outcome: 5 } } }, 'rules.cards["476173******0119"].outcome', 'response code'],
    [{ cards: { '12345': {} } }, 'rules.cards["12345"]', '12 to 19 digits'],
    [{ cards: [] }, 'rules.cards', 'must be an object'],
    [{ timings: { lateMs: 'soon' } }, 'rules.timings.lateMs', 'integer from 0'],
    [{ failCode: '05' }, 'rules.failCode', 'one of 96, 91'],
    [null, 'rules', 'must be an object'],
  ])('rejects %j at %s', (input, path, detail) => {
    const e = rulesError(input);
    expect(e.path).toBe(path);
    expect(e.message).toContain(detail);
  });

  it('never puts a full PAN in an error', () => {
    const e = rulesError({ cards: { '4761739001010119': { outcome: 'maybe' } } });
    expect(e.message).not.toContain('4761739001010119');
  });
});

describe('acquirer rules: files', () => {
  it('loads the example file shipped next to the stub', () => {
    const rules = loadRulesFile(new URL('../../../terminal-sim/acquirer/rules.example.json', import.meta.url).pathname);
    expect(rules.amountEndings).toEqual(defaultRules.amountEndings);
    expect(rules.cards['4761739001010119']).toEqual({ balance: 50000 });
  });

  it('names the file and the key', () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ cards: {}, timing: {} }));
    expect(() => loadRulesFile(file)).toThrow(`${file}: rules: unknown key "timing"`);
  });

  it('reports a file that is not JSON or not there', () => {
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{"cards": ');
    expect(() => loadRulesFile(file)).toThrow(/broken\.json: not valid JSON/);
    expect(() => loadRulesFile(join(dir, 'missing.json'))).toThrow(/cannot read the rules file \(ENOENT\)/);
  });

  it('makes startAcquirer fail before listening', async () => {
    const file = join(dir, 'bad2.json');
    writeFileSync(file, JSON.stringify({ failCode: '00' }));
    await expect(startAcquirer({ port: 0, httpPort: 0, rulesFile: file })).rejects.toBeInstanceOf(RulesError);
  });
});

describe('acquirer rules: decide', () => {
  const rules = parseRules({ cards: { '4000000000000010': { balance: 1000 }, '4000000000000028': { outcome: 'slow' } } });
  const card = (pan: string, amount: number, balance?: number, debit = true) => decide({ pan, amount, debit, balance }, rules);

  it('answers a code rule as it is, with no behaviour', () => {
    expect(card('4761739001010119', 105)).toEqual({ responseCode: '05', behaviour: null });
  });

  it('declines a debit over the balance 51, and not a credit', () => {
    expect(card('4000000000000010', 1001, 1000)).toEqual({ responseCode: '51', behaviour: null });
    expect(card('4000000000000010', 1000, 1000)).toEqual({ responseCode: '00', behaviour: null });
    expect(card('4000000000000010', 1001, 1000, false)).toEqual({ responseCode: '00', behaviour: null });
  });

  it('decides a behaviour as an approval delivered that way, still checking the balance', () => {
    expect(card('4761739001010119', 172)).toEqual({ responseCode: '00', behaviour: 'late' });
    expect(card('4000000000000028', 100)).toEqual({ responseCode: '00', behaviour: 'slow' });
    expect(card('4000000000000010', 5073, 1000)).toEqual({ responseCode: '51', behaviour: 'never' });
  });

  it('reads the ending of amounts under one unit', () => {
    expect(card('4761739001010119', 5)).toEqual({ responseCode: '05', behaviour: null });
    expect(card('4761739001010119', 0)).toEqual({ responseCode: '00', behaviour: null });
  });
});
