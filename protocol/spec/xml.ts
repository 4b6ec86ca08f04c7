/**
 * A small, dependency-free XML reader: enough for jPOS GenericPackager files. It reads elements, attributes (single
 * or double quotes), the five predefined entities and numeric character references, and skips the XML declaration,
 * processing instructions, DOCTYPE (with an internal subset), comments and CDATA. Text content is not kept. No
 * external entity is ever resolved. Errors are SPEC_INVALID naming the line.
 */
import { ProtocolError } from '../errors.js';

export interface XmlElement {
  name: string;
  attributes: ReadonlyMap<string, string>;
  children: XmlElement[];
  /** 1-based line of the element's `<`. */
  line: number;
}

export interface XmlDocument {
  root: XmlElement;
  /** Text of the comments that come before the root element, trimmed. */
  leadingComments: string[];
}

const NAME = /[A-Za-z_:][-A-Za-z0-9_:.]*/y;
const SPACE = /[ \t\r\n]*/y;
const ENTITY = /&(?:#x([0-9A-Fa-f]+)|#([0-9]+)|([A-Za-z]+));/y;
const NAMED_ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function parseXml(source: string): XmlDocument {
  return new Reader(source).document();
}

class Reader {
  private pos = 0;
  private readonly lineStarts: number[] = [0];

  constructor(private readonly src: string) {
    for (let i = 0; i < src.length; i++) if (src.charCodeAt(i) === 0x0a) this.lineStarts.push(i + 1);
    if (src.charCodeAt(0) === 0xfeff) this.pos = 1;
  }

  document(): XmlDocument {
    const leadingComments: string[] = [];
    const stack: XmlElement[] = [];
    let root: XmlElement | undefined;
    const src = this.src;

    while (this.pos < src.length) {
      const start = this.pos;
      if (src.startsWith('<?', start)) {
        this.pos = this.after('?>', start, 'processing instruction');
      } else if (src.startsWith('<!--', start)) {
        const end = this.after('-->', start + 4, 'comment');
        if (root === undefined) leadingComments.push(src.slice(start + 4, end - 3).trim());
        this.pos = end;
      } else if (src.startsWith('<![CDATA[', start)) {
        if (stack.length === 0) this.fail(start, 'CDATA outside the root element');
        this.pos = this.after(']]>', start + 9, 'CDATA section');
      } else if (src.startsWith('<!DOCTYPE', start)) {
        if (root !== undefined) this.fail(start, 'DOCTYPE after the root element');
        this.skipDoctype(start);
      } else if (src.startsWith('</', start)) {
        this.pos = start + 2;
        const name = this.name('closing tag');
        this.skipSpace();
        this.expect('>', 'closing tag');
        const open = stack.pop();
        if (open === undefined) this.fail(start, `closing tag </${name}> without an opening tag`);
        if (open.name !== name) this.fail(start, `closing tag </${name}> does not match <${open.name}> from line ${open.line}`);
      } else if (src[start] === '<') {
        if (root !== undefined && stack.length === 0) this.fail(start, 'content after the root element');
        const { element, selfClosing } = this.startTag(start);
        if (stack.length > 0) stack[stack.length - 1]!.children.push(element);
        else root = element;
        if (!selfClosing) stack.push(element);
      } else {
        const next = src.indexOf('<', start);
        const end = next === -1 ? src.length : next;
        if (stack.length === 0 && src.slice(start, end).trim() !== '') this.fail(start, 'text outside the root element');
        this.pos = end;
      }
    }
    const unclosed = stack.pop();
    if (unclosed !== undefined) this.fail(src.length, `element <${unclosed.name}> from line ${unclosed.line} is not closed`);
    if (root === undefined) this.fail(src.length, 'no root element');
    return { root, leadingComments };
  }

  private startTag(start: number): { element: XmlElement; selfClosing: boolean } {
    this.pos = start + 1;
    const name = this.name('tag');
    const attributes = new Map<string, string>();
    for (;;) {
      const before = this.pos;
      this.skipSpace();
      if (this.src.startsWith('/>', this.pos)) {
        this.pos += 2;
        return { element: { name, attributes, children: [], line: this.lineOf(start) }, selfClosing: true };
      }
      if (this.src[this.pos] === '>') {
        this.pos += 1;
        return { element: { name, attributes, children: [], line: this.lineOf(start) }, selfClosing: false };
      }
      if (this.pos === before) this.fail(this.pos, `expected whitespace, ">" or "/>" in <${name}>`);
      const attrAt = this.pos;
      const attr = this.name(`attribute of <${name}>`);
      this.skipSpace();
      this.expect('=', `attribute ${attr}`);
      this.skipSpace();
      if (attributes.has(attr)) this.fail(attrAt, `attribute ${attr} appears twice in <${name}>`);
      attributes.set(attr, this.attributeValue(attr));
    }
  }

  private attributeValue(attr: string): string {
    const quote = this.src[this.pos];
    if (quote !== '"' && quote !== "'") this.fail(this.pos, `the value of attribute ${attr} must be quoted`);
    const end = this.src.indexOf(quote, this.pos + 1);
    if (end === -1) this.fail(this.pos, `the value of attribute ${attr} is not closed`);
    const raw = this.src.slice(this.pos + 1, end);
    const at = this.pos + 1;
    this.pos = end + 1;
    let out = '';
    for (let i = 0; i < raw.length; ) {
      const c = raw[i]!;
      if (c === '<') this.fail(at + i, `"<" in the value of attribute ${attr}`);
      if (c === '&') {
        ENTITY.lastIndex = i;
        const m = ENTITY.exec(raw);
        if (m === null) this.fail(at + i, `"&" that does not start an entity in attribute ${attr}`);
        out += this.entity(m, at + i);
        i += m[0].length;
      } else {
        // Attribute-value normalization: each whitespace character becomes a space.
        out += c === '\t' || c === '\n' || c === '\r' ? ' ' : c;
        i++;
      }
    }
    return out;
  }

  private entity(m: RegExpExecArray, at: number): string {
    if (m[3] !== undefined) {
      const named = NAMED_ENTITIES[m[3]];
      if (named === undefined) this.fail(at, `unknown entity &${m[3]};`);
      return named;
    }
    const code = m[1] !== undefined ? parseInt(m[1], 16) : parseInt(m[2]!, 10);
    if (!(code >= 1 && code <= 0x10ffff) || (code >= 0xd800 && code <= 0xdfff)) {
      this.fail(at, `character reference ${m[0]} is not a valid character`);
    }
    return String.fromCodePoint(code);
  }

  /** Skips `<!DOCTYPE ...>`, including an internal subset in brackets and quoted literals. */
  private skipDoctype(start: number): void {
    let depth = 0;
    for (let i = start + 9; i < this.src.length; i++) {
      const c = this.src[i];
      if (c === '"' || c === "'") {
        const end = this.src.indexOf(c, i + 1);
        if (end === -1) break;
        i = end;
      } else if (c === '[') depth++;
      else if (c === ']') depth--;
      else if (c === '>' && depth <= 0) {
        this.pos = i + 1;
        return;
      }
    }
    this.fail(start, 'DOCTYPE is not closed');
  }

  private after(terminator: string, from: number, what: string): number {
    const end = this.src.indexOf(terminator, from);
    if (end === -1) this.fail(from, `${what} is not closed`);
    return end + terminator.length;
  }

  private name(what: string): string {
    NAME.lastIndex = this.pos;
    const m = NAME.exec(this.src);
    if (m === null) this.fail(this.pos, `expected a name in ${what}`);
    this.pos += m[0].length;
    return m[0];
  }

  private skipSpace(): void {
    SPACE.lastIndex = this.pos;
    SPACE.exec(this.src);
    this.pos = SPACE.lastIndex;
  }

  private expect(char: string, what: string): void {
    if (this.src[this.pos] !== char) this.fail(this.pos, `expected "${char}" in ${what}`);
    this.pos += 1;
  }

  private lineOf(index: number): number {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= index) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  private fail(index: number, detail: string): never {
    throw new ProtocolError('SPEC_INVALID', `XML line ${this.lineOf(index)}: ${detail}`);
  }
}
