/** Stable codes of everything that stops a configuration from loading. */
export const ConfigErrorCodes = {
  CONFIG_UNREADABLE: 'the config file cannot be read (missing, a directory, no permission)',
  CONFIG_SYNTAX: 'the config file is not valid JSON; the error names the line and column',
  CONFIG_INVALID: 'the configuration breaks the schema, a cross-check (duplicate or dangling id) or a CLI override',
} as const;

export type ConfigErrorCode = keyof typeof ConfigErrorCodes;

export interface ConfigProblem {
  /** Where: a JSON path rooted at "config" ("config.acquirers[0].deadlineMs"), or a CLI flag ("--listen"). */
  path: string;
  /** What is wrong, without the offending value: "must be < 30000", "unknown key \"enabld\"". */
  message: string;
}

/**
 * The one error `loadConfig` and `parseConfig` throw. The message lists every problem, one a line, so a single run
 * shows all of them. Values from the file are never quoted (the file holds a secret key); key names and ids are.
 */
export class ConfigError extends Error {
  readonly code: ConfigErrorCode;
  /** The file path, or the label given to `parseConfig`. */
  readonly source: string;
  readonly problems: readonly ConfigProblem[];

  constructor(code: ConfigErrorCode, source: string, problems: readonly ConfigProblem[], options?: { cause?: unknown }) {
    super(formatMessage(code, source, problems), options);
    this.name = 'ConfigError';
    this.code = code;
    this.source = source;
    this.problems = Object.freeze(problems.map((p) => Object.freeze({ ...p })));
  }
}

export function isConfigError(e: unknown): e is ConfigError {
  return e instanceof ConfigError;
}

const HEADLINES: Record<ConfigErrorCode, string> = {
  CONFIG_UNREADABLE: 'cannot read the config file',
  CONFIG_SYNTAX: 'not valid JSON',
  CONFIG_INVALID: 'invalid configuration',
};

function formatMessage(code: ConfigErrorCode, source: string, problems: readonly ConfigProblem[]): string {
  const count = code !== 'CONFIG_INVALID' ? '' : problems.length === 1 ? ' (1 problem)' : ` (${problems.length} problems)`;
  const lines = problems.map((p) => `\n  ${p.path}: ${p.message}`);
  return `${source}: ${HEADLINES[code]}${count}${lines.join('')}`;
}
