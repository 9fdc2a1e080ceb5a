// Light or dark: the system's choice (prefers-color-scheme) unless the trader picked one on
// this device; applied before the first render so the page never flashes the other theme.
export type Theme = "system" | "light" | "dark";
const KEY = "astratrade.theme";

export function storedTheme(): Theme {
  const value = localStorage.getItem(KEY);
  return value === "light" || value === "dark" ? value : "system";
}

export function applyTheme(theme: Theme = storedTheme()): void {
  const root = document.documentElement;
  if (theme === "system") {
    delete root.dataset.theme;
    localStorage.removeItem(KEY);
  } else {
    root.dataset.theme = theme;
    localStorage.setItem(KEY, theme);
  }
}
