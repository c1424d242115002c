/**
 * Light and dark themes. The page follows the system (`prefers-color-scheme`)
 * until the reader presses the theme button (components/ui/ThemeToggle.tsx),
 * whose choice is kept in localStorage and applied as `<html data-theme="…">`.
 * The colours for each case are in app/globals.css.
 *
 * `THEME_SCRIPT` runs in <head> before the first paint, so a stored choice never
 * flashes the other theme and nothing moves. It is a constant string written
 * here (no data from articles or URLs), identical on every page, so that one CSP
 * script hash covers it everywhere.
 */

export const THEME_STORAGE_KEY = 'kbview-theme';

export type Theme = 'light' | 'dark';

export const THEME_SCRIPT = `try{var t=localStorage.getItem("${THEME_STORAGE_KEY}");if(t==="light"||t==="dark")document.documentElement.dataset.theme=t}catch(e){}`;
