'use client';

/**
 * The theme button in the header: a toggle named "Dark theme", pressed when the
 * dark theme shows. Pressing it switches theme and remembers the choice
 * (localStorage); until then the page follows the system setting.
 *
 * No layout shift: the button has a fixed size, and its icon (a moon in the
 * light theme, a sun in the dark one) is drawn by CSS from the theme in force
 * (`.theme-toggle` in app/globals.css), also before this script runs; the icons
 * live in the stylesheet, not in every page. Only `aria-pressed` and the
 * tooltip are set after hydration.
 */
import { useSyncExternalStore } from 'react';
import { THEME_STORAGE_KEY, type Theme } from '@/lib/theme';

const DARK_QUERY = '(prefers-color-scheme: dark)';
/** Fired on this page when the button changes the theme (the storage event only reaches other tabs). */
const THEME_CHANGED = 'kbview:theme';

function currentTheme(): Theme {
  const chosen = document.documentElement.dataset.theme;
  if (chosen === 'light' || chosen === 'dark') return chosen;
  return window.matchMedia(DARK_QUERY).matches ? 'dark' : 'light';
}

/** The theme in force is outside React (the `data-theme` attribute, the system setting, other tabs): subscribe to it. */
function subscribe(onChange: () => void): () => void {
  const media = window.matchMedia(DARK_QUERY);
  // Another tab made a choice: follow it.
  const onStorage = (event: StorageEvent) => {
    if (event.key !== THEME_STORAGE_KEY) return;
    if (event.newValue === 'light' || event.newValue === 'dark') document.documentElement.dataset.theme = event.newValue;
    else delete document.documentElement.dataset.theme;
    onChange();
  };
  media.addEventListener('change', onChange);
  window.addEventListener('storage', onStorage);
  window.addEventListener(THEME_CHANGED, onChange);
  return () => {
    media.removeEventListener('change', onChange);
    window.removeEventListener('storage', onStorage);
    window.removeEventListener(THEME_CHANGED, onChange);
  };
}

export function ThemeToggle() {
  // null while the server renders (and during hydration): the attributes set from it are added after.
  const theme = useSyncExternalStore<Theme | null>(subscribe, currentTheme, () => null);

  const toggle = () => {
    const next: Theme = currentTheme() === 'dark' ? 'light' : 'dark';
    document.documentElement.dataset.theme = next;
    try {
      localStorage.setItem(THEME_STORAGE_KEY, next);
    } catch {
      // Storage may be disabled: the choice then lasts for this page only.
    }
    window.dispatchEvent(new Event(THEME_CHANGED));
  };

  return (
    <button
      type="button"
      className="theme-toggle"
      aria-label="Dark theme"
      aria-pressed={theme === null ? undefined : theme === 'dark'}
      title={theme === null ? 'Theme' : theme === 'dark' ? 'Switch to the light theme' : 'Switch to the dark theme'}
      onClick={toggle}
    />
  );
}
