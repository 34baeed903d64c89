/**
 * Small terminal helpers for the live view: ANSI-aware width and truncation, cleaning of task
 * output for a one-line display, cursor control sequences and spinner frames.
 */

/** Matches CSI and OSC escape sequences (colours, cursor moves, hyperlinks). */
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]/g;

/** Remove ANSI escape sequences. */
export function stripAnsi(s: string): string {
  return s.replace(ANSI, '');
}

/** Columns a string occupies on screen (escape sequences take none; wide characters take two). */
export function visibleWidth(s: string): number {
  let w = 0;
  for (const ch of stripAnsi(s)) w += charWidth(ch.codePointAt(0)!);
  return w;
}

/** East Asian wide and emoji ranges take two columns; combining marks take none. */
function charWidth(cp: number): number {
  if (cp < 32 || (cp >= 0x7f && cp < 0xa0)) return 0;
  if (cp >= 0x300 && cp <= 0x36f) return 0;
  if (cp === 0x200b || cp === 0x200d || (cp >= 0xfe00 && cp <= 0xfe0f)) return 0;
  if (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1faff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  )
    return 2;
  return 1;
}

/** Pad a (possibly coloured) string with spaces to `width` visible columns. */
export function padVisible(s: string, width: number): string {
  return s + ' '.repeat(Math.max(0, width - visibleWidth(s)));
}

/**
 * Cut a (possibly coloured) line to at most `width` visible columns, ending with `…` when cut.
 * Escape sequences are kept, and a reset is appended after a cut so colours never leak.
 */
export function truncate(s: string, width: number): string {
  if (width <= 0) return '';
  if (visibleWidth(s) <= width) return s;
  let out = '';
  let w = 0;
  let i = 0;
  const re = new RegExp(ANSI.source, 'y');
  while (i < s.length) {
    re.lastIndex = i;
    const m = re.exec(s);
    if (m) {
      out += m[0];
      i += m[0].length;
      continue;
    }
    const ch = String.fromCodePoint(s.codePointAt(i)!);
    const cw = charWidth(ch.codePointAt(0)!);
    if (w + cw > width - 1) break;
    out += ch;
    w += cw;
    i += ch.length;
  }
  return out + '…\u001b[0m';
}

/**
 * A task output line made fit for a one-line status: escape sequences removed, the text after the
 * last carriage return kept (progress bars redraw with `\r`), tabs expanded, other control
 * characters dropped, surrounding space trimmed.
 */
export function cleanLine(line: string): string {
  let s = stripAnsi(line);
  const cr = s.lastIndexOf('\r', s.length - 2);
  if (cr >= 0) s = s.slice(cr + 1);
  // eslint-disable-next-line no-control-regex
  return s.replace(/\t/g, '  ').replace(/[\u0000-\u001f\u007f]/g, '').trim();
}

export const CURSOR_HIDE = '\u001b[?25l';
export const CURSOR_SHOW = '\u001b[?25h';
/** Clear from the cursor to the end of the line. */
export const CLEAR_LINE = '\u001b[K';
/** Clear from the cursor to the end of the screen. */
export const CLEAR_DOWN = '\u001b[J';
/** Move to the start of the line `n` lines up. */
export const up = (n: number): string => (n > 0 ? `\r\u001b[${n}A` : '\r');

/** The frames of the spinner (the `dots` spinner of cli-spinners / ora). */
export const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** The spinner frame for a point in time, so every running task spins in step. */
export function spinnerFrame(now: number, frameMs = 80): string {
  return SPINNER[Math.floor(now / frameMs) % SPINNER.length];
}
