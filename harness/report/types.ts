// Options and format names shared by every reporter.

export type OutputFormat = 'human' | 'json' | 'junit' | 'tap' | 'markdown';

/** Every format, in the order `--format` help lists them. */
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['human', 'json', 'junit', 'tap', 'markdown'];

export interface RenderOptions {
  /** ANSI colour (human format only); the CLI sets it when the output is a TTY. */
  readonly color: boolean;
  /** Suite name for a parsed file (JUnit testsuite, Markdown and human headings), e.g. the file's base name. */
  readonly name?: string;
}
