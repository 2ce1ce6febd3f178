// Go 1.19 encoding/json output for strings and string maps. Docker's attrs,
// GELF, Splunk and plugin payloads are produced by it, and the byte-exact form
// (HTML escapes, \u2028, \ufffd for broken text) is visible to log consumers.

// Escapes for the bytes below 0x20 plus `"` and `\`; Go 1.19 has no \b or \f.
const CONTROL: string[] = [];
for (let c = 0; c < 0x20; c++) CONTROL[c] = '\\u00' + c.toString(16).padStart(2, '0');
CONTROL[0x0a] = '\\n';
CONTROL[0x0d] = '\\r';
CONTROL[0x09] = '\\t';
CONTROL[0x22] = '\\"';
CONTROL[0x5c] = '\\\\';

function encode(s: string, escapeHtml: boolean): string {
  let out = '"';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let rep: string | undefined;
    if (c < 0x20 || c === 0x22 || c === 0x5c) rep = CONTROL[c];
    else if (escapeHtml && (c === 0x3c || c === 0x3e || c === 0x26)) rep = '\\u00' + c.toString(16);
    else if (c === 0x2028 || c === 0x2029) rep = '\\u' + c.toString(16);
    else if (c >= 0xd800 && c <= 0xdfff) {
      const next = s.charCodeAt(i + 1);
      if (c < 0xdc00 && next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
      // A lone surrogate is what invalid UTF-8 becomes in a JS string.
      rep = '\\ufffd';
    }
    if (rep !== undefined) {
      out += s.slice(start, i) + rep;
      start = i + 1;
    }
  }
  return out + s.slice(start) + '"';
}

/** json.Marshal of a Go string (HTML-safe escaping, as Docker's attrs and payloads use). */
export function goJsonString(s: string): string {
  return encode(s, true);
}

/** An Encoder with SetEscapeHTML(false), as the tag template's `json` function uses. */
export function goJsonNoHtml(s: string): string {
  return encode(s, false);
}

/**
 * Go orders map keys by their UTF-8 bytes, which for JS strings is code-point
 * order, not the UTF-16 order of `<` (they differ above U+FFFF).
 */
export function compareGoStrings(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** json.Marshal of a map[string]string: compact, keys sorted byte-wise. */
export function goJsonStringMap(obj: Record<string, string>, escapeHtml = true): string {
  const parts = Object.keys(obj)
    .sort(compareGoStrings)
    .map((k) => encode(k, escapeHtml) + ':' + encode(obj[k]!, escapeHtml));
  return '{' + parts.join(',') + '}';
}
