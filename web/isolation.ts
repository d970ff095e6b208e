// Whether training can run on threads here: threads share memory between workers, which a browser
// allows only on a cross-origin isolated page. The dev server sends the headers that make it so;
// the built site's service worker (public/sw.js) adds them to what it serves, but a page is
// isolated or not by the response it loaded with, so the first visit becomes isolated on a reload.

/** What the page says where it is not isolated. */
export const NOT_ISOLATED = "This page is not cross-origin isolated, so training runs on one thread: threads share memory "
  + "between workers, which needs the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp.";

export function isIsolated(): boolean {
  return (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
}

/** Set in this tab before the reload, so that a browser that ignores the worker's headers is not reloaded again. */
const RELOADED = "descent-playground-isolating";

/** Whether reloadIntoIsolation will reload this page when its service worker takes control. */
export function willReloadIntoIsolation(): boolean {
  return "serviceWorker" in navigator && !isIsolated() && sessionStorage.getItem(RELOADED) === null;
}

/**
 * Reloads the page once, when the service worker first takes control of it, so that it loads with
 * the worker's headers. Not once the user has started (a point placed, a key pressed, training):
 * then `wouldIsolate` is called, for the page to say what a reload would give.
 */
export function reloadIntoIsolation(wouldIsolate: () => void): void {
  if (isIsolated()) {
    sessionStorage.removeItem(RELOADED);
    return;
  }
  let started = false;
  const start = (): void => {
    started = true;
  };
  for (const type of ["pointerdown", "keydown"]) window.addEventListener(type, start, { capture: true, once: true });
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (isIsolated() || sessionStorage.getItem(RELOADED) !== null) return;
    if (started) {
      wouldIsolate();
      return;
    }
    sessionStorage.setItem(RELOADED, "1");
    location.reload();
  });
}
