// Small helpers shared by the dialog and the editor.

/** Applies a fix's edits (UTF-16 ranges into `text`), back to front. */
export function applyEdits(text, edits) {
  const sorted = [...edits].sort((a, b) => b.start - a.start || b.end - a.end);
  let out = text;
  for (const edit of sorted) {
    out = out.slice(0, edit.start) + edit.replacement + out.slice(edit.end);
  }
  return out;
}

/** `el(tag, {attrs}, ...children)`: a DOM element; strings become text nodes (never HTML). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

const ORDER = { error: 0, warning: 1, info: 2 };

/** The worst severity of `findings`. */
export function worst(findings) {
  return findings.reduce((w, f) => (ORDER[f.severity] < ORDER[w] ? f.severity : w), 'info');
}

export function plural(n, word) {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** "2 errors, 1 warning" or "" . */
export function summaryText(summary) {
  const parts = [];
  if (summary.errors) parts.push(plural(summary.errors, 'error'));
  if (summary.warnings) parts.push(plural(summary.warnings, 'warning'));
  if (summary.infos) parts.push(plural(summary.infos, 'note'));
  return parts.join(', ');
}

/** `text` with `backtick` spans as <code> (messages quote values that way); never HTML. */
export function rich(text) {
  const parts = String(text).split('`');
  if (parts.length % 2 === 0) return [String(text)]; // unbalanced: show as written
  return parts.map((part, i) => (i % 2 === 1 ? el('code', {}, part) : part)).filter((p) => p !== '');
}
