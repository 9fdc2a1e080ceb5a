import { render } from "preact";
import { App } from "./app";
import "./styles.css";
import { applyTheme } from "./theme";

applyTheme(); // before the first render: no flash of the other theme

const root = document.getElementById("app")!;
root.replaceChildren(); // the "Loading" line, shown until the script runs
render(<App />, root);
performance.mark("astratrade-interactive"); // read by the browser tests' budget check

// Installable as an app (PWA); the worker never caches the API.
if ("serviceWorker" in navigator && location.protocol !== "file:") {
  window.addEventListener("load", () => void navigator.serviceWorker.register("/sw.js").catch(() => undefined));
}
