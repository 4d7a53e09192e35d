/** A tiny element builder: no framework, no innerHTML of API text (every string is a text node). */
type Child = Node | string | number | null | undefined | false;
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, unknown> = {}, ...children: Array<Child | Child[]>): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v as EventListener);
    else if (k === 'class') el.className = String(v);
    else if (k === 'value') (el as HTMLInputElement).value = String(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(typeof c === 'object' ? c : String(c));
  return el;
}

export function clear(el: Element, ...children: Array<Child | Child[]>): void {
  el.replaceChildren();
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(typeof c === 'object' ? c : String(c));
}

/** A confirmation dialog: resolves with the form's values on 确认, null on 取消. */
export function confirmDialog(title: string, body: Child | Child[], fields: HTMLElement[] = []): Promise<FormData | null> {
  return new Promise((resolve) => {
    const form = h('form', { method: 'dialog', class: 'dialog-form' }, h('h3', {}, title), h('div', {}, body), ...fields, h('div', { class: 'actions' }, h('button', { type: 'button', class: 'ghost', 'data-testid': 'dialog-cancel', onclick: () => close(null) }, '取消'), h('button', { type: 'submit', class: 'primary', 'data-testid': 'dialog-confirm' }, '确认')));
    const dialog = h('dialog', { 'data-testid': 'confirm-dialog' }, form);
    const close = (v: FormData | null) => {
      dialog.close();
      dialog.remove();
      resolve(v);
    };
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      close(new FormData(form));
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}

export function toast(message: string, kind: 'ok' | 'error' = 'ok'): void {
  const t = h('div', { class: `toast ${kind}`, role: 'status', 'data-testid': 'toast' }, message);
  document.body.append(t);
  setTimeout(() => t.remove(), 5000);
}
