import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from './io.js';
import { DEFAULT_PROFILES_FILE, profileKeys, type OptionTable } from './options.js';

export type OptionValues = Record<string, string | boolean | string[] | undefined>;

/**
 * A profiles file:
 *   { "defaultProfile": "demo",
 *     "profiles": { "demo": { "target": "tcp://127.0.0.1:9000", "terminal": "TERM0001", "merchant": "MERCHANT0000001" } } }
 * Keys are the long option names; a command line option wins over its profile.
 */
export interface ProfilesFile {
  defaultProfile?: string;
  profiles: Record<string, Record<string, string | number | boolean>>;
}

/**
 * The options of a command with its profile filled in. The profile is `--profile`, else the file's defaultProfile;
 * the file is `--profiles`, else ./terminal-sim.json when it exists. Keys no command knows are errors; keys this
 * command does not take are ignored.
 */
export function withProfile(values: OptionValues, table: OptionTable, cwd: string): OptionValues {
  const explicitFile = typeof values.profiles === 'string';
  const path = resolve(cwd, explicitFile ? (values.profiles as string) : DEFAULT_PROFILES_FILE);
  let text: string | undefined;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (explicitFile || typeof values.profile === 'string') {
      throw new UsageError(`cannot read the profiles file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    return values;
  }
  const file = parseProfiles(text, path);
  const name = typeof values.profile === 'string' ? values.profile : file.defaultProfile;
  if (name === undefined) return values;
  if (!Object.hasOwn(file.profiles, name)) {
    throw new UsageError(`no profile "${name}" in ${path} (profiles: ${Object.keys(file.profiles).join(', ') || 'none'})`);
  }
  const merged: OptionValues = { ...values };
  for (const [key, value] of Object.entries(file.profiles[name])) {
    if (!Object.hasOwn(table, key) || merged[key] !== undefined) continue;
    if ((table[key].type === 'boolean') !== (typeof value === 'boolean')) {
      throw new UsageError(`${path}: profile "${name}" option "${key}" must be ${table[key].type === 'boolean' ? 'true or false' : 'a string'}`);
    }
    merged[key] = typeof value === 'number' ? String(value) : value;
  }
  return merged;
}

export function parseProfiles(text: string, path: string): ProfilesFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${path} is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new UsageError(`${path}: expected an object with "profiles"`);
  for (const key of Object.keys(data)) {
    if (key !== 'profiles' && key !== 'defaultProfile') throw new UsageError(`${path}: unknown key "${key}" (expected "profiles", "defaultProfile")`);
  }
  const { profiles, defaultProfile } = data as { profiles?: unknown; defaultProfile?: unknown };
  if (typeof profiles !== 'object' || profiles === null || Array.isArray(profiles)) throw new UsageError(`${path}: "profiles" must be an object`);
  if (defaultProfile !== undefined && typeof defaultProfile !== 'string') throw new UsageError(`${path}: "defaultProfile" must be a string`);
  const known = profileKeys();
  for (const [name, profile] of Object.entries(profiles)) {
    if (typeof profile !== 'object' || profile === null || Array.isArray(profile)) throw new UsageError(`${path}: profile "${name}" must be an object`);
    for (const [key, value] of Object.entries(profile)) {
      if (!known.has(key)) throw new UsageError(`${path}: profile "${name}" has unknown option "${key}"`);
      const ok = typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && key === 'timeout');
      if (!ok) throw new UsageError(`${path}: profile "${name}" option "${key}" must be a string${key === 'timeout' ? ' or a number' : ''}`);
    }
  }
  return { defaultProfile, profiles: profiles as ProfilesFile['profiles'] };
}
