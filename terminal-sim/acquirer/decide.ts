import { isBehaviour, type Behaviour, type Rules } from './rules.js';
import { ResponseCodes } from './messages.js';

export interface AuthorizationRequest {
  pan: string;
  /** Minor units. */
  amount: number;
  /** Pre-auths and purchases take money from the card; a balance can decline them. */
  debit: boolean;
  /** The card's current balance, when it is a test card with one. */
  balance: number | undefined;
}

export interface Decision {
  responseCode: string;
  /** How the answer is delivered; null: at once. */
  behaviour: Behaviour | null;
}

/**
 * The rules in order: the card's own outcome, else the outcome for the amount's last two digits; a response code
 * is answered as it is; otherwise (no outcome, or a behaviour) a debit over the card's balance is declined '51' and
 * anything else approved.
 */
export function decide(req: AuthorizationRequest, rules: Rules): Decision {
  const outcome = outcomeFor(req.pan, req.amount, rules);
  if (outcome !== undefined && !isBehaviour(outcome)) return { responseCode: outcome, behaviour: null };
  const behaviour = isBehaviour(outcome) ? outcome : null;
  if (req.debit && req.balance !== undefined && req.amount > req.balance) {
    return { responseCode: ResponseCodes.insufficientFunds, behaviour };
  }
  return { responseCode: ResponseCodes.approved, behaviour };
}

/** Only the behaviour part of the rules: advices are acknowledged, never declined by a rule. */
export function behaviourFor(pan: string, amount: number, rules: Rules): Behaviour | null {
  const outcome = outcomeFor(pan, amount, rules);
  return isBehaviour(outcome) ? outcome : null;
}

function outcomeFor(pan: string, amount: number, rules: Rules): string | undefined {
  const card = Object.hasOwn(rules.cards, pan) ? rules.cards[pan] : undefined;
  if (card?.outcome !== undefined) return card.outcome;
  const ending = String(amount % 100).padStart(2, '0');
  return Object.hasOwn(rules.amountEndings, ending) ? rules.amountEndings[ending] : undefined;
}
