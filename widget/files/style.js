// The files module's styles, in the widget's colours (its custom properties). Adopted by the
// shadow root when the module first runs.

export const CSS = `
.tray { border-top: 1px solid var(--line); padding: 8px 10px 0; display: flex; flex-direction: column; gap: 6px; }
.tray ul { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 4px; max-height: 150px; overflow-y: auto; }
.tray li { display: flex; align-items: center; gap: 8px; font-size: 13px; min-width: 0; }
.tray li img, .tray .kind { width: 40px; height: 40px; object-fit: cover; border-radius: 6px; flex: none; }
.tray .kind { display: grid; place-items: center; font-size: 11px; font-weight: 600; color: var(--muted); background: var(--theirs); }
.tray .name { flex: 1; min-width: 0; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.tray .size { color: var(--muted); flex: none; }
.tray .remove { background: none; border: 0; color: var(--muted); font-size: 20px; line-height: 1; cursor: pointer; padding: 2px 6px; }
.tray .refusal { margin: 0; font-size: 13px; color: #b91c1c; }
.tray .bar { display: flex; align-items: center; gap: 8px; }
.tray progress { flex: 1; min-width: 0; accent-color: var(--accent); }
.tray .state { font-size: 13px; color: var(--muted); }
.tray .state:empty { display: none; }
.tray .cancel { margin-left: auto; font: inherit; font-size: 14px; color: var(--fg); background: none; border: 1px solid var(--line); border-radius: 8px; padding: 8px 12px; cursor: pointer; }
.tray .send { padding: 8px 12px; font-size: 14px; }
.tray button:disabled { opacity: .5; cursor: default; }
.thumb { display: inline-block; cursor: zoom-in; }
/* The view covers the window, which is positioned already where it fills a phone's screen. */
@media (min-width: 601px) { .window { position: relative; } }
.viewer { position: absolute; inset: 0; z-index: 1; display: grid; place-items: center; padding: 16px; background: rgba(0, 0, 0, .85); }
.viewer img { max-width: 100%; max-height: 100%; object-fit: contain; border-radius: 4px; }
.viewer-close { position: absolute; top: 8px; right: 8px; background: none; border: 0; color: #fff; font-size: 30px; line-height: 1; cursor: pointer; padding: 4px 10px; }
@media (prefers-color-scheme: dark) { .tray .refusal { color: #fca5a5; } }
`;
