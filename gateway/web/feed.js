// The /feed WebSocket (docs/websocket-feed.md): hello with the token and the last cursor, a snapshot, the replay of
// what was missed, "live", then events. A dropped connection is retried with backoff, resuming from the cursor.

const STOP_CODES = { 4401: 'token not recognised', 4403: 'not allowed' };
const BACKOFF_MS = [500, 1000, 2000, 4000, 8000];

/** Midnight in the browser's time zone, as the chart counts days. */
function startOfToday() {
  const d = new Date();
  d.setHours(0, 0, 0, 0);
  return d.toISOString();
}

export class FeedClient {
  /**
   * handlers: onSnapshot(msg), onEvent(msg, { replayed }), onStatus(status, detail), onRefused(reason),
   * onReset() (the history is to be forgotten: the feed starts over).
   * status: 'connecting' | 'replaying' | 'live' | 'reconnecting'.
   */
  constructor(token, handlers) {
    this.token = token;
    this.handlers = handlers;
    // the cursor of the last event processed; null: none yet, so the feed replays from the start of today (the
    // chart and the recent sales), not the merchant's whole history
    this.cursor = null;
    this.snapshotSeq = 0;
    this.operatorAll = false;
    this.attempt = 0;
    this.ws = null;
    this.timer = null;
    this.stopped = false;
  }

  start() {
    this.stopped = false;
    this.open();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.ws !== null) this.ws.close(1000, 'signed out');
    this.ws = null;
  }

  open() {
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/feed`;
    this.handlers.onStatus(this.attempt === 0 ? 'connecting' : 'reconnecting', this.attempt);
    const ws = new WebSocket(url);
    this.ws = ws;
    ws.onopen = () => ws.send(JSON.stringify(this.cursor === null ? { type: 'hello', token: this.token, from: startOfToday() } : { type: 'hello', token: this.token, since: this.cursor }));
    ws.onmessage = (m) => {
      if (ws !== this.ws) return;
      let msg;
      try {
        msg = JSON.parse(m.data);
      } catch {
        return;
      }
      this.receive(msg);
    };
    ws.onclose = (e) => {
      if (ws !== this.ws || this.stopped) return;
      this.ws = null;
      if (STOP_CODES[e.code] !== undefined) {
        this.stopped = true;
        this.handlers.onRefused(e.reason || STOP_CODES[e.code]);
        return;
      }
      // a cursor ahead of the feed: the journal was started afresh, so start over too
      if (e.code === 4400 && /ahead of the feed/.test(e.reason)) {
        this.cursor = null;
        this.handlers.onReset();
      }
      this.retry();
    };
  }

  receive(msg) {
    if (msg.type === 'snapshot') {
      this.operatorAll = msg.scope?.kind === 'operator' && msg.scope.merchantId === null;
      this.snapshotSeq = msg.seq;
      this.handlers.onSnapshot(msg);
      this.handlers.onStatus('replaying', 0);
    } else if (msg.type === 'event') {
      const cursor = this.operatorAll ? msg.id : msg.seq;
      if (this.cursor !== null && cursor <= this.cursor) return;
      // events up to the snapshot's cursor are already in its lists: they only add to the history
      this.handlers.onEvent(msg, { replayed: cursor <= this.snapshotSeq });
      this.cursor = cursor;
    } else if (msg.type === 'live') {
      this.attempt = 0;
      this.handlers.onStatus('live', 0);
    }
  }

  retry() {
    this.attempt += 1;
    this.handlers.onStatus('reconnecting', this.attempt);
    const base = BACKOFF_MS[Math.min(this.attempt - 1, BACKOFF_MS.length - 1)];
    this.timer = setTimeout(() => this.open(), base + Math.floor(Math.random() * base * 0.2));
  }
}
