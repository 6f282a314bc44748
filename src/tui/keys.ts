import type {Key} from 'ink'

/**
 * ink hands a run of plain characters read in one go to `useInput` as one input: a paste,
 * but also keys typed (or auto-repeated) faster than the screen reads them, like `jjj` or
 * `/type:invoice.*⏎`. The inspector takes such a run one key at a time, so none is lost.
 */

export interface KeyPress {
  input: string
  key: Key
}

/** A key with nothing pressed but a character. */
export const NO_KEY: Key = {
  upArrow: false,
  downArrow: false,
  leftArrow: false,
  rightArrow: false,
  pageDown: false,
  pageUp: false,
  home: false,
  end: false,
  return: false,
  escape: false,
  ctrl: false,
  shift: false,
  tab: false,
  backspace: false,
  delete: false,
  meta: false,
  super: false,
  hyper: false,
  capsLock: false,
  numLock: false,
}

// Control characters that end a run of text: enter, backspace, tab and ctrl chords.
const CONTROL = /[\u0000-\u001F\u007F]/

/** One control character as ink would report it alone. */
function controlKey(ch: string): KeyPress {
  if (ch === '\r' || ch === '\n') return {input: '', key: {...NO_KEY, return: true}}
  if (ch === '\u007F' || ch === '\b') return {input: '', key: {...NO_KEY, backspace: true}}
  if (ch === '\t') return {input: '', key: {...NO_KEY, tab: true}}
  const code = ch.charCodeAt(0)
  // ctrl+a .. ctrl+z arrive as 0x01 .. 0x1A.
  if (code >= 1 && code <= 26) return {input: String.fromCharCode(code + 96), key: {...NO_KEY, ctrl: true}}
  return {input: '', key: {...NO_KEY}}
}

/** Whether ink's `input` is a run of several characters read at once, to be taken apart. */
export function isRun(press: KeyPress): boolean {
  return [...press.input].length > 1 && !press.key.ctrl && !press.key.meta && !press.input.startsWith('\u001B')
}

/**
 * The first key of a run and what is left of it: one character (control characters as
 * the key they stand for); while text is being typed (`typing`, the filter bar), the
 * printable prefix as one piece, as a paste should be.
 */
export function takeKey(run: string, typing: boolean): {next: KeyPress; rest: string} {
  const chars = [...run]
  if (CONTROL.test(chars[0])) return {next: controlKey(chars[0]), rest: chars.slice(1).join('')}
  const text = typing ? chars.slice(0, firstControl(chars)).join('') : chars[0]
  const upper = [...text].length === 1 && /[A-Z]/.test(text)
  return {next: {input: text, key: {...NO_KEY, shift: upper}}, rest: run.slice(text.length)}
}

function firstControl(chars: string[]): number {
  const at = chars.findIndex((c) => CONTROL.test(c))
  return at === -1 ? chars.length : at
}
