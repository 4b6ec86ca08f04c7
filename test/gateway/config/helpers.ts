import { ConfigError } from '../../../gateway/config/index.js';

export const KEY = 'ab'.repeat(32);

/** The smallest valid config: every required key, nothing else. */
export function minimal(): Record<string, any> {
  return {
    acquirers: [{ id: 'visa-a', host: 'acquirer-a.test', port: 5000 }],
    merchants: [{ id: 'M1', name: 'Shop' }],
    terminals: [{ id: 'TERM0001', merchantId: 'M1' }],
    security: { panHashKey: KEY },
  };
}

/** The ConfigError `fn` throws. */
export function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}
