/** A scenario file that does not validate: `path` names the key ("steps[3].purchase.amount"). */
export class ScenarioError extends Error {
  constructor(
    readonly path: string,
    readonly detail: string,
  ) {
    super(`${path}: ${detail}`);
    this.name = 'ScenarioError';
  }
}

/** Reads one JSON object of a scenario, naming the key in every error; unknown keys are refused. */
export class Reader {
  constructor(
    readonly value: Record<string, unknown>,
    readonly path: string,
  ) {}

  static object(value: unknown, path: string, known: readonly string[]): Reader {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ScenarioError(path, 'must be an object');
    for (const key of Object.keys(value)) {
      if (!known.includes(key)) throw new ScenarioError(path, `unknown key "${key}" (known: ${known.join(', ')})`);
    }
    return new Reader(value as Record<string, unknown>, path);
  }

  at(key: string): string {
    return `${this.path}.${key}`;
  }

  has(key: string): boolean {
    return this.value[key] !== undefined;
  }

  string(key: string, opts: { pattern?: RegExp; hint?: string } = {}): string | undefined {
    const v = this.value[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || (opts.pattern !== undefined && !opts.pattern.test(v))) {
      throw new ScenarioError(this.at(key), opts.hint ?? 'must be a string');
    }
    return v;
  }

  requiredString(key: string, opts: { pattern?: RegExp; hint?: string } = {}): string {
    const v = this.string(key, opts);
    if (v === undefined) throw new ScenarioError(this.at(key), `is required${opts.hint ? ` (${opts.hint.replace(/^must be /, '')})` : ''}`);
    return v;
  }

  /** Money as the CLI takes it: "12.34" (a number is refused: 0.1 + 0.2 is not money). */
  money(key: string): string | undefined {
    return this.string(key, { pattern: /^\d+(?:\.\d+)?$/, hint: 'must be decimal money as a string, e.g. "12.34"' });
  }

  integer(key: string, min: number, max: number): number | undefined {
    const v = this.value[key];
    if (v === undefined) return undefined;
    if (!Number.isSafeInteger(v) || (v as number) < min || (v as number) > max) {
      throw new ScenarioError(this.at(key), `must be an integer from ${min} to ${max}`);
    }
    return v as number;
  }

  boolean(key: string): boolean | undefined {
    const v = this.value[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'boolean') throw new ScenarioError(this.at(key), 'must be true or false');
    return v;
  }

  stringArray(key: string, opts: { pattern?: RegExp; hint?: string } = {}): string[] | undefined {
    const v = this.value[key];
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || v.length === 0) throw new ScenarioError(this.at(key), 'must be a non-empty array of strings');
    v.forEach((item, i) => {
      if (typeof item !== 'string' || (opts.pattern !== undefined && !opts.pattern.test(item))) {
        throw new ScenarioError(`${this.at(key)}[${i}]`, opts.hint ?? 'must be a string');
      }
    });
    return v as string[];
  }
}

/** Runs `fn`, turning its TypeError / FaultError / DeviceError into a ScenarioError at `path`. */
export function at<T>(path: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ScenarioError) throw e;
    const message = (e as Error).message;
    // a FaultError already starts with its own path relative to `path`
    throw new ScenarioError(path, message.startsWith(path) ? message.slice(path.length + 2) : message);
  }
}
