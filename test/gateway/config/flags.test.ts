import { parseArgs } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CONFIG_FLAGS, configFlagsHelp, overridesFromFlags, parseConfig } from '../../../gateway/config/index.js';
import { configError, minimal } from './helpers.js';

const options = Object.fromEntries(CONFIG_FLAGS.map((f) => [f.name, { type: f.type, multiple: f.multiple }]));

describe('CONFIG_FLAGS', () => {
  it('covers every override, each once', () => {
    expect(CONFIG_FLAGS.map((f) => f.key).sort()).toEqual(['acquirer', 'httpHost', 'httpPort', 'listen', 'logLevel', 'store']);
    expect(Object.isFrozen(CONFIG_FLAGS)).toBe(true);
  });

  it('turns parseArgs values into overrides', () => {
    const { values } = parseArgs({
      args: ['--listen', '0.0.0.0:9000', '--acquirer', 'visa-a=h:1', '--acquirer', 'x=2', '--http-port', '0', '--log-level', 'warn'],
      options,
    });
    expect(overridesFromFlags(values)).toEqual({
      listen: ['0.0.0.0:9000'],
      acquirer: ['visa-a=h:1', 'x=2'],
      httpPort: 0,
      logLevel: 'warn',
    });
  });

  it('lets a bad port through to be named by its flag', () => {
    const { values } = parseArgs({ args: ['--http-port', '80a'], options });
    const overrides = overridesFromFlags(values);
    expect(overrides.httpPort).toBeNaN();
    expect(configError(() => parseConfig(minimal(), 'config', overrides)).problems).toEqual([
      { path: '--http-port', message: 'must be an integer from 0 to 65535' },
    ]);
  });

  it('prints aligned help lines', () => {
    expect(configFlagsHelp().split('\n')).toEqual([
      '  --listen [host:]port     address of a terminal listener; the first --listen sets the first listener, the second the second (repeatable)',
      '  --acquirer id=host:port  connect to the acquirer with this id at another address (repeatable)',
      '  --http-port port         port of the HTTP API (0 picks a free port)',
      '  --http-host host         address the HTTP API binds to',
      '  --store path             SQLite database file',
      '  --log-level level        fatal, error, warn, info, debug, trace or silent',
    ]);
  });
});
