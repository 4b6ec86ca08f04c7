import { readFileSync } from 'node:fs';
import { ConfigError } from './errors.js';
import { parseJsonText } from './json.js';
import type { ConfigOverrides } from './overrides.js';
import { parseConfig } from './parse.js';
import type { GatewayConfig } from './types.js';

/**
 * Reads a JSON config file, applies the CLI overrides, validates and fills in defaults. Relative paths inside the
 * file (store.path, spec files, TLS files) stay relative to the working directory, not to the file.
 * Throws ConfigError: CONFIG_UNREADABLE, CONFIG_SYNTAX (with line and column) or CONFIG_INVALID.
 */
export function loadConfig(path: string, overrides?: ConfigOverrides): GatewayConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const message = (code !== undefined && READ_ERRORS[code]) || (cause instanceof Error ? cause.message : String(cause));
    throw new ConfigError('CONFIG_UNREADABLE', path, [{ path: 'file', message }], { cause });
  }
  return parseConfig(parseJsonText(text, path), path, overrides);
}

const READ_ERRORS: Record<string, string> = {
  ENOENT: 'no such file (ENOENT)',
  EISDIR: 'is a directory, not a file (EISDIR)',
  EACCES: 'permission denied (EACCES)',
};
