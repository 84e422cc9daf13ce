// A strict reader for Home Assistant's generated discovery modules: module-level assignments of Python dict/list/str/bool literals; anything else is refused with its line.
//
// hassfest writes homeassistant/generated/{dhcp,zeroconf,ssdp}.py as plain literals (script/hassfest/
// {dhcp,zeroconf,ssdp}.py, format_python_namespace). Reading them with a real (small) parser rather than
// regexes means a changed layout is either understood exactly or refused: the importer must not guess.

/** Parse error with the 1-based line and column of the offending text. */
export class PyLiteralError extends Error {
  constructor(message, line, col) {
    super(`${message} at line ${line}, column ${col}`);
    this.line = line;
    this.col = col;
  }
}

/**
 * Parse the module text: a docstring, comments, `from X import Y` lines, and assignments
 * `NAME = <literal>` or `NAME: <annotation> = <literal>`. Returns { NAME: value } (dicts as plain
 * objects with insertion order kept, lists as arrays, True/False as booleans).
 */
export function parseModule(text) {
  const p = new Reader(text);
  const out = Object.create(null);
  p.skipSpace();
  if (p.peekStr('"""') || p.peekStr("'''")) p.docstring();
  for (;;) {
    p.skipSpace();
    if (p.eof()) break;
    if (p.peekWord('from')) { p.importLine(); continue; }
    if (p.peekStr('<<<<<<<') || p.peekStr('=======') || p.peekStr('>>>>>>>')) p.fail('merge-conflict marker');
    const name = p.ident();
    if (!/^[A-Z][A-Z0-9_]*$/.test(name)) p.fail(`unexpected statement "${name}" (only UPPER_CASE assignments are read)`);
    p.skipInline();
    if (p.peek() === ':') { p.pos++; p.annotation(); }
    p.expect('=');
    p.skipSpace();
    if (name in out) p.fail(`${name} assigned twice`);
    out[name] = p.value();
    p.endOfStatement();
  }
  return out;
}

class Reader {
  constructor(text) {
    this.s = text;
    this.pos = 0;
  }
  eof() { return this.pos >= this.s.length; }
  peek() { return this.s[this.pos]; }
  peekStr(t) { return this.s.startsWith(t, this.pos); }
  peekWord(w) { return this.s.startsWith(w, this.pos) && !/[A-Za-z0-9_]/.test(this.s[this.pos + w.length] ?? ''); }
  where() {
    const before = this.s.slice(0, this.pos);
    const line = before.split('\n').length;
    return [line, this.pos - before.lastIndexOf('\n')];
  }
  fail(msg) { throw new PyLiteralError(msg, ...this.where()); }

  /** Whitespace, newlines and # comments. */
  skipSpace() {
    for (;;) {
      const m = /^(?:[ \t\r\n]+|#[^\n]*)/.exec(this.s.slice(this.pos, this.pos + 4096));
      if (!m || !m[0]) return;
      this.pos += m[0].length;
    }
  }
  /** Spaces and tabs only (inside a statement's first line). */
  skipInline() { while (this.peek() === ' ' || this.peek() === '\t') this.pos++; }
  expect(c) {
    this.skipInline();
    if (this.peek() !== c) this.fail(`expected "${c}"`);
    this.pos++;
  }
  ident() {
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.s.slice(this.pos, this.pos + 200));
    if (!m) this.fail('expected a name');
    this.pos += m[0].length;
    return m[0];
  }
  docstring() {
    const q = this.s.slice(this.pos, this.pos + 3);
    const end = this.s.indexOf(q, this.pos + 3);
    if (end < 0) this.fail('unterminated docstring');
    this.pos = end + 3;
  }
  /** `from a.b import c, d` on one line. */
  importLine() {
    const m = /^from [A-Za-z_][A-Za-z0-9_.]* import [A-Za-z_][A-Za-z0-9_]*(?:, *[A-Za-z_][A-Za-z0-9_]*)*[ \t]*(?:\n|$)/.exec(this.s.slice(this.pos, this.pos + 400));
    if (!m) this.fail('unrecognised import line');
    this.pos += m[0].length;
  }
  /** A type annotation up to "=": names, dots, brackets, commas and "|" (typing expressions), nothing else. */
  annotation() {
    const m = /^[ \t]*([A-Za-z0-9_.\[\], |\t]+?)[ \t]*(?==)/.exec(this.s.slice(this.pos, this.pos + 400));
    if (!m) this.fail('unrecognised annotation');
    this.pos += m[0].length;
  }
  endOfStatement() {
    this.skipInline();
    if (this.peek() === '#') { while (!this.eof() && this.peek() !== '\n') this.pos++; }
    if (!this.eof() && this.peek() !== '\n' && this.peek() !== '\r') this.fail('unexpected text after the literal');
  }

  value() {
    this.skipSpace();
    const c = this.peek();
    if (c === '{') return this.dict();
    if (c === '[') return this.list();
    if (c === '"' || c === "'") return this.string();
    if (this.peekWord('True')) { this.pos += 4; return true; }
    if (this.peekWord('False')) { this.pos += 5; return false; }
    this.fail(`unrecognised value ${JSON.stringify(this.s.slice(this.pos, this.pos + 20))}`);
  }
  dict() {
    this.pos++;
    const out = Object.create(null);
    for (;;) {
      this.skipSpace();
      if (this.peek() === '}') { this.pos++; return out; }
      const c = this.peek();
      if (c !== '"' && c !== "'") this.fail('dict keys must be strings');
      const k = this.string();
      if (k in out) this.fail(`duplicate key "${k}"`);
      this.skipSpace();
      if (this.peek() !== ':') this.fail('expected ":"');
      this.pos++;
      out[k] = this.value();
      this.skipSpace();
      if (this.peek() === ',') { this.pos++; continue; }
      if (this.peek() === '}') { this.pos++; return out; }
      this.fail('expected "," or "}"');
    }
  }
  list() {
    this.pos++;
    const out = [];
    for (;;) {
      this.skipSpace();
      if (this.peek() === ']') { this.pos++; return out; }
      out.push(this.value());
      this.skipSpace();
      if (this.peek() === ',') { this.pos++; continue; }
      if (this.peek() === ']') { this.pos++; return out; }
      this.fail('expected "," or "]"');
    }
  }
  /** A one-line string literal; escapes limited to \\ \" \' (all hassfest writes); no prefixes, no implicit concatenation. */
  string() {
    const q = this.peek();
    if (this.peekStr(q.repeat(3))) this.fail('triple-quoted strings are not expected in a value');
    this.pos++;
    let out = '';
    for (;;) {
      if (this.eof()) this.fail('unterminated string');
      const c = this.s[this.pos++];
      if (c === q) break;
      if (c === '\n') this.fail('newline in string');
      if (c === '\\') {
        const n = this.s[this.pos++];
        if (n === '\\' || n === '"' || n === "'") out += n;
        else this.fail(`unsupported escape \\${n}`);
      } else out += c;
    }
    const save = this.pos;
    this.skipSpace();
    if (this.peek() === '"' || this.peek() === "'") this.fail('implicit string concatenation is not expected');
    this.pos = save;
    return out;
  }
}
