// What a --series argument names: a file or directory on disk, or a thread in a public-inbox archive by its
// Message-ID (`msgid:<id>`) or by the URL of one of its messages (what lore.kernel.org shows). Pure.

export type SeriesRef =
  | { readonly kind: 'path'; readonly path: string }
  /** `archive` null: the configured archive (--archive, else lore's `all` inbox). */
  | { readonly kind: 'msgid'; readonly msgid: string; readonly archive: string | null };

/** lore's inbox of every list: any Message-ID posted to a kernel list resolves there. */
export const DEFAULT_ARCHIVE = 'https://lore.kernel.org/all';

/** A Message-ID's id-left@id-right, without angle brackets (RFC 5322 msg-id, loosely: no blanks, one @). */
const MSGID = /^[^\s<>@]+@[^\s<>@]+$/;
/** What follows a message in a public-inbox URL: its thread views and downloads. */
const MESSAGE_VIEWS = new Set(['', 'T', 't', 'raw', 't.mbox.gz', 't.atom', '#r', '#t']);

export class SeriesRefError extends Error {}

export function parseSeriesRef(arg: string): SeriesRef {
  if (arg.startsWith('msgid:')) {
    const msgid = arg.slice('msgid:'.length).trim().replace(/^<|>$/g, '');
    if (!MSGID.test(msgid)) throw new SeriesRefError(`--series ${arg}: "${msgid}" is not a Message-ID (expected id@domain, as in the mail's Message-ID header, with or without <>)`);
    return { kind: 'msgid', msgid, archive: null };
  }
  if (/^https?:\/\//.test(arg)) return fromUrl(arg);
  return { kind: 'path', path: arg };
}

/**
 * `https://lore.kernel.org/kvmarm/<msgid>/` (or `.../T/#t`, `/t.mbox.gz`, `/raw`): the archive is the URL up to the
 * inbox, the Message-ID the percent-decoded path segment that holds an @.
 */
function fromUrl(arg: string): SeriesRef {
  let url: URL;
  try {
    url = new URL(arg);
  } catch {
    throw new SeriesRefError(`--series ${arg}: not a valid URL`);
  }
  const segments = url.pathname.split('/');
  const at = segments.findIndex((s) => MSGID.test(safeDecode(s)));
  if (at < 2) throw new SeriesRefError(`--series ${arg}: the URL holds no Message-ID (expected https://host/<inbox>/<message-id>/, as lore shows a message)`);
  const rest = segments.slice(at + 1).filter((s) => s !== '');
  if (rest.some((s) => !MESSAGE_VIEWS.has(s))) throw new SeriesRefError(`--series ${arg}: "${rest.join('/')}" after the Message-ID is not a public-inbox message view (/, /T/, /t.mbox.gz, /raw)`);
  const archive = `${url.protocol}//${url.host}${segments.slice(0, at).join('/')}`;
  return { kind: 'msgid', msgid: safeDecode(segments[at]!), archive };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The URL of a message in an archive, as public-inbox serves it: the Message-ID percent-encoded. */
export function messageUrl(archive: string, msgid: string): string {
  return `${archive.replace(/\/+$/, '')}/${encodeURIComponent(msgid)}/`;
}
