// XML 1.0 escaping for the JUnit reporter, including the control characters XML cannot hold at all.

/**
 * Characters XML 1.0 forbids even as references (C0 controls but tab, LF and
 * CR; U+FFFE/U+FFFF; unpaired surrogates). Console logs contain them (ANSI
 * colour escapes, NULs from a dying serial line): they are written as
 * visible `\x1b`-style text so that Jenkins and GitLab still load the file.
 */
const FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function visible(c: string): string {
  const code = c.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Text content. */
export function escapeText(s: string): string {
  return s.replace(FORBIDDEN, visible).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** An attribute value (double-quoted). Newlines and tabs are kept as references: attribute normalisation would turn them into spaces. */
export function escapeAttr(s: string): string {
  return escapeText(s).replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
}

/** `name="value"` pairs, skipping undefined values. */
export function attrs(pairs: Record<string, string | number | undefined>): string {
  return Object.entries(pairs)
    .filter((e): e is [string, string | number] => e[1] !== undefined)
    .map(([k, v]) => ` ${k}="${escapeAttr(String(v))}"`)
    .join('');
}
