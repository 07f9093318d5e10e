/**
 * Tabs as the WAI-ARIA pattern has them: one tab in the Tab order, arrow keys (and Home / End) move
 * between tabs and select them, the panel is labelled by its tab.
 */
import type { ComponentChildren } from 'preact';

export function Tabs<T extends string>({
  tabs,
  value,
  onChange,
  label,
  idPrefix,
  children,
}: {
  tabs: readonly (readonly [T, string])[];
  value: T;
  onChange: (tab: T) => void;
  label: string;
  idPrefix: string;
  children: ComponentChildren;
}) {
  const move = (event: KeyboardEvent, index: number) => {
    const last = tabs.length - 1;
    const next =
      event.key === 'ArrowRight'
        ? index === last
          ? 0
          : index + 1
        : event.key === 'ArrowLeft'
          ? index === 0
            ? last
            : index - 1
          : event.key === 'Home'
            ? 0
            : event.key === 'End'
              ? last
              : null;
    if (next === null) return;
    event.preventDefault();
    const tab = tabs[next];
    if (!tab) return;
    onChange(tab[0]);
    document.getElementById(`${idPrefix}-tab-${tab[0]}`)?.focus();
  };
  return (
    <>
      <div class="tabs" role="tablist" aria-label={label}>
        {tabs.map(([t, text], i) => (
          <button
            key={t}
            type="button"
            role="tab"
            id={`${idPrefix}-tab-${t}`}
            aria-selected={value === t}
            aria-controls={`${idPrefix}-panel`}
            tabIndex={value === t ? 0 : -1}
            onClick={() => onChange(t)}
            onKeyDown={(e) => move(e, i)}
          >
            {text}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`${idPrefix}-panel`} aria-labelledby={`${idPrefix}-tab-${value}`}>
        {children}
      </div>
    </>
  );
}
