// Which patch of the series each line of the final tree comes from: `git blame --porcelain <tip> -- <file>`
// read into (line, commit, text). A line added by patch 1 and changed by patch 2 belongs to patch 2.

export interface BlamedLine {
  /** 1-based line number in the final tree. */
  readonly line: number;
  readonly commit: string;
  readonly text: string;
}

/**
 * Porcelain format (git-blame(1)): a header `<sha> <orig-line> <final-line> [<group-size>]`, header fields the
 * first time a commit appears (`author ...`, `filename ...`, `boundary`), then the line's text after a TAB.
 */
export function parseBlamePorcelain(text: string): BlamedLine[] {
  const out: BlamedLine[] = [];
  let commit: string | null = null;
  let line = 0;
  for (const raw of text.split('\n')) {
    const head = /^([0-9a-f]{40,64}) \d+ (\d+)(?: \d+)?$/.exec(raw);
    if (head) {
      commit = head[1]!;
      line = Number(head[2]);
    } else if (raw.startsWith('\t') && commit) {
      out.push({ line, commit, text: raw.slice(1) });
      commit = null;
    }
  }
  return out;
}

/** The lines each patch commit owns: patch number (1-based, in `commits` order) -> its lines. */
export function linesByPatch(blamed: readonly BlamedLine[], commits: readonly string[]): Map<number, BlamedLine[]> {
  const index = new Map(commits.map((c, i) => [c, i + 1]));
  const out = new Map<number, BlamedLine[]>();
  for (const b of blamed) {
    const patch = index.get(b.commit);
    if (patch === undefined) continue;
    const list = out.get(patch) ?? [];
    list.push(b);
    out.set(patch, list);
  }
  return out;
}
