import type { GatewayConfig, RouteRule } from '../config/types.js';
import { schemeOf } from './schemes.js';

export interface RouteInput {
  pan: string | null;
  merchantId: string;
  terminalId: string;
  /** Minor units. */
  amount: number;
}

export interface Route {
  /** The rule that matched, or "default". */
  rule: string;
  /** Acquirer ids in order of preference. */
  acquirers: readonly string[];
}

/** Routing rules as data: the first rule whose every condition holds gives the order; else the default order. */
export class Router {
  private readonly rules: readonly RouteRule[];
  private readonly fallback: readonly string[];

  constructor(config: GatewayConfig) {
    this.rules = config.routing.rules;
    this.fallback = config.routing.default.length > 0 ? config.routing.default : config.acquirers.map((a) => a.id);
  }

  route(input: RouteInput): Route {
    for (const rule of this.rules) if (matches(rule, input)) return { rule: rule.name, acquirers: rule.acquirers };
    return { rule: 'default', acquirers: this.fallback };
  }
}

function matches(rule: RouteRule, r: RouteInput): boolean {
  const m = rule.match;
  if (m.bins && !(r.pan !== null && m.bins.some((b) => r.pan!.startsWith(b)))) return false;
  if (m.schemes) {
    const scheme = schemeOf(r.pan);
    if (scheme === undefined || !m.schemes.includes(scheme)) return false;
  }
  if (m.merchants && !m.merchants.includes(r.merchantId)) return false;
  if (m.terminals && !m.terminals.includes(r.terminalId)) return false;
  if (m.minAmount !== undefined && r.amount < m.minAmount) return false;
  if (m.maxAmount !== undefined && r.amount > m.maxAmount) return false;
  return true;
}
