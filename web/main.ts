// The playground's entry: the two views (playground and benchmark, switched by the URL's hash so
// that links, Back and the keyboard work as usual) and, in the built site, the service worker
// that keeps it working offline and makes it cross-origin isolated (threads).
import { setupBench } from "./bench.ts";
import { reloadIntoIsolation, willReloadIntoIsolation } from "./isolation.ts";
import { setupPlayground } from "./playground.ts";

const VIEWS = ["playground", "bench"] as const;

function showView(): void {
  const wanted = location.hash.slice(1);
  const view = (VIEWS as readonly string[]).includes(wanted) ? wanted : "playground";
  for (const v of VIEWS) {
    const section = document.getElementById(v) as HTMLElement;
    section.hidden = v !== view;
    const tab = document.getElementById(`tab-${v}`) as HTMLAnchorElement;
    if (v === view) tab.setAttribute("aria-current", "page");
    else tab.removeAttribute("aria-current");
  }
  document.title = view === "bench" ? "descent playground: benchmark" : "descent playground";
}

window.addEventListener("hashchange", () => {
  showView();
  // Take keyboard and screen-reader focus to the view that just opened.
  const view = document.querySelector<HTMLElement>("main > section:not([hidden]) h2");
  view?.focus();
});

// The built site only (`vite build` runs in mode "production" even where NODE_ENV says otherwise,
// as under vitest); the dev server's modules change on every edit and must not be cached.
const offline = import.meta.env.MODE === "production" && "serviceWorker" in navigator;

showView();
const playground = setupPlayground({ reloading: offline && willReloadIntoIsolation() });
setupBench();

if (offline) {
  reloadIntoIsolation(() => playground.reloadForThreads());
  // After the page has loaded, so that caching never competes with the first render.
  window.addEventListener("load", () => {
    navigator.serviceWorker.register("./sw.js").catch((err: unknown) => {
      console.warn("descent playground: no offline support:", err);
      playground.noServiceWorker();
    });
  });
}
