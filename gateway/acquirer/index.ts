export {
  HostLink,
  LinkStates,
  type HostLinkEvents,
  type LateReplyInfo,
  type LinkState,
  type LinkStats,
  type RequestOptions,
} from './link.js';
export { LinkError, LinkErrorCodes, isLinkError, type LinkErrorCode, type LinkErrorContext } from './errors.js';
export { silentLogger, type HostLinkOptions, type LinkLogger } from './options.js';
export { StanCounter, STAN_MAX } from './stan.js';
export { Backoff, type BackoffOptions } from './backoff.js';
export { matchKey } from './key.js';
export { NetworkCodes, transmissionDateTime, networkRequest, type NetworkCode } from './network.js';
