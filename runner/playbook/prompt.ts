/**
 * Interactive prompts for var values, on streams given as parameters (so tests can use
 * PassThrough streams). On a terminal the input is read in raw mode: typed characters are
 * echoed by us, or not at all for secrets; Ctrl-C restores the terminal and rejects with
 * {@link PromptInterruptedError}. Without a terminal, answers are read line by line.
 */
import type { VarDef } from './model.js';
import type { PromptInfo } from './vars.js';

/** The user pressed Ctrl-C at a prompt (the caller should exit as interrupted, 130). */
export class PromptInterruptedError extends Error {
  constructor() {
    super('interrupted at a prompt');
    this.name = 'PromptInterruptedError';
  }
}

type Input = NodeJS.ReadableStream & { isTTY?: boolean; isRaw?: boolean; setRawMode?: (raw: boolean) => unknown };
type Output = NodeJS.WritableStream;

/**
 * Reads one answer. Resolves undefined at end of input (or Ctrl-D on an empty line).
 * `hidden`: nothing typed is echoed.
 */
export function readAnswer(input: Input, output: Output, hidden: boolean): Promise<string | undefined> {
  const raw = Boolean(input.isTTY && typeof input.setRawMode === 'function');
  return new Promise((resolve, reject) => {
    let buf = '';
    let escape = false;
    const wasRaw = input.isRaw ?? false;
    const restore = () => {
      if (raw) input.setRawMode!(wasRaw);
    };
    const cleanup = () => {
      input.removeListener('data', onData);
      input.removeListener('end', onEnd);
      input.removeListener('error', onError);
      process.removeListener('exit', restore);
      input.pause();
      restore();
    };
    const finish = (value: string | undefined, rest: string) => {
      cleanup();
      if (raw || hidden) output.write('\n');
      // Give back what was typed ahead (the answers to the next questions).
      if (rest) input.unshift(Buffer.from(rest, 'utf8'));
      resolve(value);
    };
    const onData = (chunk: Buffer | string) => {
      const s = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
      for (let i = 0; i < s.length; i++) {
        const ch = s[i]!;
        if (escape) {
          // Skip terminal escape sequences (arrows, function keys): ESC [ ... letter.
          if (/[A-Za-z~]/.test(ch)) escape = false;
          continue;
        }
        if (ch === '\u0003') {
          cleanup();
          output.write('\n');
          reject(new PromptInterruptedError());
          return;
        }
        if (ch === '\n' || ch === '\r') {
          const rest = s.slice(ch === '\r' && s[i + 1] === '\n' ? i + 2 : i + 1);
          finish(buf, rest);
          return;
        }
        if (ch === '\u0004') {
          if (buf === '') {
            finish(undefined, '');
            return;
          }
          continue;
        }
        if (ch === '\u007f' || ch === '\b') {
          if (buf.length > 0) {
            buf = buf.slice(0, -1);
            if (raw && !hidden) output.write('\b \b');
          }
          continue;
        }
        if (ch === '\u001b') {
          escape = raw;
          continue;
        }
        if (ch < ' ' && ch !== '\t') continue;
        buf += ch;
        if (raw && !hidden) output.write(ch);
      }
    };
    const onEnd = () => {
      cleanup();
      if (hidden) output.write('\n');
      resolve(buf === '' ? undefined : buf);
    };
    const onError = (e: Error) => {
      cleanup();
      reject(e);
    };
    if (raw) {
      input.setRawMode!(true);
      process.once('exit', restore);
    }
    input.on('data', onData);
    input.once('end', onEnd);
    input.once('error', onError);
    input.resume();
  });
}

/** Asks a free-form question (e.g. "Proceed? [y/N] "); undefined at end of input. */
export async function ask(input: Input, output: Output, question: string): Promise<string | undefined> {
  output.write(question);
  return readAnswer(input, output, false);
}

/** The text of the question for a var, with its default (never a secret's). */
export function questionFor(v: VarDef, info: PromptInfo = {}): string {
  const label = v.prompt ?? (v.description ? `${v.description} (${v.name})` : v.name);
  const type = typeof v.schema.type === 'string' ? v.schema.type : 'string';
  const kind = type === 'boolean' ? ' (yes/no)' : type === 'array' || type === 'object' ? ' (JSON)' : '';
  const def = info.default ?? (v.defaultTemplate ? undefined : v.default);
  const shown =
    def === undefined || def === null
      ? ''
      : v.secret
        ? ' [press Enter to keep the default]'
        : ` [${typeof def === 'string' ? def : JSON.stringify(def)}]`;
  const hidden = v.secret ? ' (input hidden)' : '';
  return `${label}${kind}${hidden}${shown}: `;
}

/**
 * Asks for a var's value: shows its description and default, hides the input of secrets.
 * Resolves the answer, or undefined for an empty answer or end of input.
 */
export async function promptVar(v: VarDef, input: Input, output: Output, info: PromptInfo = {}): Promise<string | undefined> {
  if (info.error) output.write(`  ${v.name}: ${info.error}\n`);
  output.write(questionFor(v, info));
  const answer = await readAnswer(input, output, v.secret);
  return answer === '' ? undefined : answer;
}

/** A {@link PromptFn} bound to two streams. */
export function createPrompt(input: Input, output: Output): (v: VarDef, info?: PromptInfo) => Promise<string | undefined> {
  return (v, info) => promptVar(v, input, output, info);
}
