// The playground view: points on a canvas (mouse, touch or keyboard), a model chosen in the form,
// and training in a worker (trainInWorker) while the decision regions, the loss curve and the
// numbers update. Nothing heavy runs on the main thread: the worker trains, on threads where the
// page is cross-origin isolated, and the regions are computed a few grid rows per frame from the
// weights the worker sends about every 100 ms.
import {
  BACKENDS, availableBackends, bestBackend, createRuntime, trainInWorker, type Backend, type EpochInfo, type Model, type Runtime,
} from "../src/index.ts";
import { PRESETS, makePreset, presetClasses, toTraining, type Point, type Preset } from "./data.ts";
import { NOT_ISOLATED, isIsolated } from "./isolation.ts";
import { ACTIVATION_NAMES, buildModel, describeSettings, parameterCount, type LayerSettings, type ModelSettings, type Optimizer } from "./model-config.ts";
import { CLASS_NAMES, RegionPainter, drawLoss, drawScene } from "./plot.ts";

const $ = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`playground: #${id} is missing from the page`);
  return el as T;
};

/** Milliseconds of region computing per animation frame: the rest of the frame stays free. */
const FRAME_BUDGET_MS = 4;
/**
 * How often the worker sends its weights (trainInWorker's updateEvery): every 100 ms, and less
 * often for large models, whose weights take the main thread milliseconds to take in (about
 * 10 ms for the 66,000 of a 2 → 256 → 256 → 2 network).
 */
function updateEveryFor(parameters: number): number {
  return Math.round(Math.min(500, Math.max(100, parameters / 200)));
}

interface Run {
  model: Model;
  controller: AbortController;
  stop: boolean;
  epochs: number;
  description: string;
  /** trainInWorker's updateEvery for this model. */
  updateEvery: number;
}

/** Threads that training can use on any backend: the SIMD builds only. */
const THREADED: readonly Backend[] = ["wasm-relaxed", "wasm-simd"];

export interface Playground {
  /** Says that a reload would make the page cross-origin isolated (the service worker is ready). */
  reloadForThreads(): void;
  /** Says no more that the service worker will make the page isolated (it could not register). */
  noServiceWorker(): void;
}

/** `reloading`: the page will reload as soon as its service worker makes it cross-origin isolated. */
export function setupPlayground({ reloading = false } = {}): Playground {
  const canvas = $<HTMLCanvasElement>("canvas");
  const form = $<HTMLFormElement>("controls");
  const status = $("status");
  const formError = $("form-error");
  const summary = $("points-summary");
  const layersList = $<HTMLOListElement>("layers");
  const kind = $<HTMLSelectElement>("model-kind");
  const network = $("network");
  const backendSelect = $<HTMLSelectElement>("backend");
  const threadsSelect = $<HTMLSelectElement>("threads");
  const threadsNote = $("threads-note");
  const trainButton = $<HTMLButtonElement>("train");
  const stopButton = $<HTMLButtonElement>("stop");
  const cancelButton = $<HTMLButtonElement>("cancel");
  const lossChart = document.getElementById("loss-chart") as unknown as SVGSVGElement;
  const stat = {
    backend: $("stat-backend"), epoch: $("stat-epoch"), speed: $("stat-speed"), loss: $("stat-loss"), accuracy: $("stat-accuracy"),
  };

  let points: Point[] = makePreset("xor", 2);
  const cursor = { x: 0, y: 0 };
  let cursorVisible = false;
  let model: Model | undefined;
  let run: Run | undefined;
  let losses: number[] = [];
  let lastInfo: EpochInfo | undefined;
  const painter = new RegionPainter(60);
  /** performance.now() of the last weights the model received, and of the last region image started. */
  let weightsAt = -Infinity;
  let regionsFrom = -Infinity;
  let accuracyStale = true;
  /** The canvas and the loss chart need drawing again. */
  let sceneDirty = true;
  let lossDirty = true;
  let frame = 0;

  // ------------------------------------------------------------------ backends and runtimes
  const best = bestBackend();
  const usable = availableBackends();
  for (const option of Array.from(backendSelect.options)) {
    const b = option.value as Backend;
    const available = usable.includes(b);
    option.disabled = !available;
    if (!available) option.textContent = `${b} (not supported here)`;
  }
  backendSelect.value = best;

  // ------------------------------------------------------------------ threads
  // "auto" is one per logical core (the worker's runtime counts them); a number is at most those.
  const cores = Math.max(1, navigator.hardwareConcurrency || 1);
  (threadsSelect.options[0] as HTMLOptionElement).textContent = `auto (${cores})`;
  for (let t = 1; t <= Math.min(cores, 16); t++) {
    const o = document.createElement("option");
    o.value = String(t);
    o.textContent = String(t);
    threadsSelect.appendChild(o);
  }
  const say = (note: string): void => {
    threadsNote.textContent = note;
    threadsNote.hidden = false;
  };
  // Said once, in the page: training asks for no threads here, so nothing says it again.
  if (!isIsolated()) {
    threadsSelect.disabled = true;
    say(reloading ? `${NOT_ISOLATED} The playground's service worker adds them: the page reloads once, when it is ready.` : NOT_ISOLATED);
  }
  /** What trainInWorker is asked for on `backend`. */
  const threadsFor = (backend: Backend): number | "auto" => {
    if (!isIsolated() || !THREADED.includes(backend)) return 1;
    return threadsSelect.value === "auto" ? "auto" : Number(threadsSelect.value);
  };
  const showBackend = (backend: string, threads: number): void => {
    stat.backend.textContent = `${backend} · ${threads} thread${threads === 1 ? "" : "s"}`;
    stat.backend.dataset.threads = String(threads);
  };
  /** What the next run will use, until a run's worker says what it does use. */
  const showPlan = (): void => {
    if (run !== undefined) return;
    const backend = backendSelect.value as Backend;
    const t = threadsFor(backend);
    showBackend(backend, t === "auto" ? cores : t);
  };
  backendSelect.addEventListener("change", showPlan);
  threadsSelect.addEventListener("change", showPlan);
  const runtimes = new Map<Backend, Promise<Runtime>>();
  const runtimeFor = (backend: Backend): Promise<Runtime> => {
    let rt = runtimes.get(backend);
    if (rt === undefined) {
      rt = createRuntime({ backend });
      runtimes.set(backend, rt);
    }
    return rt;
  };

  // ------------------------------------------------------------------ the layer editor
  $("activation-list").textContent = ACTIVATION_NAMES.join(", ");
  const datalist = $("activation-names");
  for (const name of ACTIVATION_NAMES) {
    const o = document.createElement("option");
    o.value = name;
    datalist.appendChild(o);
  }
  let layerIds = 0;
  const addLayer = (units: number, activation: string, focus = false): void => {
    const id = ++layerIds;
    const li = document.createElement("li");
    li.className = "layer";
    li.innerHTML = `
      <label class="field units">Units <input type="number" inputmode="numeric" min="1" max="1024" step="1" name="units" id="units-${id}"></label>
      <label class="field activation">Activation <input type="text" name="activation" list="activation-names" id="activation-${id}"
        autocomplete="off" autocapitalize="off" spellcheck="false"></label>
      <label class="field slopes">PReLU slopes <select name="slopes" id="slopes-${id}">
        <option value="layer">one per layer</option><option value="neuron">one per neuron</option></select></label>
      <button type="button" class="remove">Remove</button>`;
    (li.querySelector("input[name=units]") as HTMLInputElement).value = String(units);
    (li.querySelector("input[name=activation]") as HTMLInputElement).value = activation;
    const remove = li.querySelector("button.remove") as HTMLButtonElement;
    remove.addEventListener("click", () => {
      const next = (li.nextElementSibling ?? li.previousElementSibling)?.querySelector("input");
      li.remove();
      renumberLayers();
      (next ?? $("add-layer")).focus();
    });
    layersList.appendChild(li);
    renumberLayers();
    if (focus) (li.querySelector("input") as HTMLInputElement).focus();
  };
  const renumberLayers = (): void => {
    layersList.querySelectorAll("li").forEach((li, i) => {
      (li.querySelector("button.remove") as HTMLButtonElement).setAttribute("aria-label", `Remove hidden layer ${i + 1}`);
      li.setAttribute("aria-label", `Hidden layer ${i + 1}`);
    });
  };
  addLayer(8, "tanh");
  $("add-layer").addEventListener("click", () => addLayer(8, "relu", true));
  const showNetwork = (): void => {
    network.hidden = kind.value !== "sequential";
  };
  kind.addEventListener("change", showNetwork);
  showNetwork();

  const readSettings = (): ModelSettings => {
    const hidden: LayerSettings[] = Array.from(layersList.querySelectorAll("li")).map((li) => ({
      units: Number((li.querySelector("input[name=units]") as HTMLInputElement).value),
      activation: (li.querySelector("input[name=activation]") as HTMLInputElement).value,
      slopes: (li.querySelector("select[name=slopes]") as HTMLSelectElement).value as "layer" | "neuron",
    }));
    const value = (id: string): string => $<HTMLInputElement | HTMLSelectElement>(id).value;
    return {
      kind: kind.value as ModelSettings["kind"],
      hidden,
      output: value("output") as ModelSettings["output"],
      optimizer: value("optimizer") as Optimizer,
      lr: Number(value("lr")),
      epochs: Number(value("epochs")),
      batchSize: Number(value("batch")),
      seed: Math.trunc(Number(value("seed")) || 0),
    };
  };

  // ------------------------------------------------------------------ points
  const selectedClass = (): number => Number((form.querySelector("input[name=cls]:checked") as HTMLInputElement).value);
  const selectClass = (label: number): void => {
    (form.querySelector(`input[name=cls][value="${label}"]`) as HTMLInputElement).checked = true;
  };
  const describePoints = (): string => {
    const counts = [0, 0, 0];
    for (const p of points) counts[p.label]++;
    const parts = counts.map((c, i) => (c > 0 ? `${c} of class ${i + 1} (${CLASS_NAMES[i]})` : "")).filter((s) => s !== "");
    return `${points.length} point${points.length === 1 ? "" : "s"}${parts.length ? `: ${parts.join(", ")}` : ""}.`;
  };
  const pointsChanged = (announce?: string): void => {
    summary.textContent = announce === undefined ? describePoints() : `${announce} ${describePoints()}`;
    accuracyStale = true;
    redraw();
  };
  const addPoint = (x: number, y: number, label: number): void => {
    points.push({ x, y, label });
    pointsChanged(`Added a class ${label + 1} point at (${x.toFixed(2)}, ${y.toFixed(2)}).`);
  };
  const removeNearest = (x: number, y: number): void => {
    let best = -1;
    let bestD = 0.15 ** 2;
    points.forEach((p, i) => {
      const d = (p.x - x) ** 2 + (p.y - y) ** 2;
      if (d <= bestD) {
        bestD = d;
        best = i;
      }
    });
    if (best < 0) {
      pointsChanged("No point near the cursor.");
      return;
    }
    const [p] = points.splice(best, 1);
    pointsChanged(`Removed a class ${p.label + 1} point.`);
  };
  const resetModel = (): void => {
    // A run in progress is cancelled; its model is freed when the worker has let go of it (train's finally).
    const active = run;
    if (active !== undefined) {
      active.controller.abort(new Error("replaced"));
      run = undefined;
      setTraining(false);
    }
    if (model !== undefined && model !== active?.model) model.dispose();
    model = undefined;
    losses = [];
    lastInfo = undefined;
    painter.clear();
    sceneDirty = true;
    stat.epoch.textContent = "–";
    stat.epoch.dataset.value = "0";
    for (const s of [stat.speed, stat.loss, stat.accuracy]) s.textContent = "–";
    stat.accuracy.dataset.value = "";
    drawLoss(lossChart, [], 0);
  };
  form.querySelectorAll<HTMLButtonElement>("button[data-preset]").forEach((button) => {
    button.addEventListener("click", () => {
      const preset = button.dataset.preset as Preset;
      if (!PRESETS.includes(preset)) return;
      resetModel();
      const classes = presetClasses(preset, Number($<HTMLSelectElement>("preset-classes").value));
      points = makePreset(preset, classes);
      // A two-class preset suits either output; keep the choice unless it cannot work.
      if (classes > 2 && $<HTMLSelectElement>("output").value === "sigmoid") $<HTMLSelectElement>("output").value = "softmax";
      setStatus(`Preset ${button.textContent}: ${classes} classes. Choose a model and Train.`);
      pointsChanged();
    });
  });
  $("clear").addEventListener("click", () => {
    resetModel();
    points = [];
    setStatus("Cleared. Place points of at least two classes.");
    pointsChanged();
  });

  // Pointer: a click or tap adds a point of the chosen class; Shift-click removes the nearest.
  const toData = (e: PointerEvent): { x: number; y: number } => {
    const r = canvas.getBoundingClientRect();
    const x = ((e.clientX - r.left) / r.width) * 2 - 1;
    const y = 1 - ((e.clientY - r.top) / r.height) * 2;
    return { x: Math.max(-1, Math.min(1, x)), y: Math.max(-1, Math.min(1, y)) };
  };
  canvas.addEventListener("pointerdown", (e) => {
    if (e.button !== 0) return;
    const p = toData(e);
    cursor.x = p.x;
    cursor.y = p.y;
    if (e.shiftKey) removeNearest(p.x, p.y);
    else addPoint(p.x, p.y, selectedClass());
  });
  // Keyboard: a cursor moved by the arrows; Enter/Space/1/2/3 add, Delete/Backspace remove.
  canvas.addEventListener("keydown", (e) => {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    const step = e.shiftKey ? 0.2 : 0.05;
    const move: Record<string, [number, number]> = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] };
    const m = move[e.key];
    if (m !== undefined) {
      cursor.x = Math.max(-1, Math.min(1, Math.round((cursor.x + m[0]) * 100) / 100));
      cursor.y = Math.max(-1, Math.min(1, Math.round((cursor.y + m[1]) * 100) / 100));
      summary.textContent = `Cursor at (${cursor.x.toFixed(2)}, ${cursor.y.toFixed(2)}).`;
      redraw();
    } else if (e.key === "Enter" || e.key === " ") {
      addPoint(cursor.x, cursor.y, selectedClass());
    } else if (e.key === "1" || e.key === "2" || e.key === "3") {
      const label = Number(e.key) - 1;
      selectClass(label);
      addPoint(cursor.x, cursor.y, label);
    } else if (e.key === "Delete" || e.key === "Backspace") {
      removeNearest(cursor.x, cursor.y);
    } else {
      return;
    }
    e.preventDefault();
  });
  canvas.addEventListener("focus", () => {
    cursorVisible = true;
    redraw();
  });
  canvas.addEventListener("blur", () => {
    cursorVisible = false;
    redraw();
  });

  // The canvas draws at the device's pixel density, whatever size the layout gives it.
  const fitCanvas = (): void => {
    const size = Math.round(canvas.getBoundingClientRect().width * (window.devicePixelRatio || 1));
    if (size > 0 && size !== canvas.width) {
      canvas.width = size;
      canvas.height = size;
      redraw();
    }
  };
  new ResizeObserver(fitCanvas).observe(canvas);

  // ------------------------------------------------------------------ training
  const setStatus = (text: string): void => {
    status.textContent = text;
  };
  const setTraining = (on: boolean): void => {
    trainButton.disabled = on;
    stopButton.disabled = !on;
    cancelButton.disabled = !on;
    form.classList.toggle("training", on);
  };

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    void train();
  });
  stopButton.addEventListener("click", () => {
    if (run === undefined) return;
    run.stop = true;
    setStatus(`Stopping ${run.description} …`);
  });
  cancelButton.addEventListener("click", () => {
    if (run === undefined) return;
    run.controller.abort(new Error("cancelled"));
  });

  async function train(): Promise<void> {
    if (run !== undefined) return;
    formError.textContent = "";
    const { X, y } = toTraining(points);
    const classes = new Set(y).size;
    if (classes < 2) {
      formError.textContent = "Place points of at least two classes (or pick a preset) before training.";
      return;
    }
    const settings = readSettings();
    const backend = backendSelect.value as Backend;
    let next: Model;
    try {
      if (!BACKENDS.includes(backend)) throw new Error(`Unknown backend ${backend}`);
      next = buildModel(settings, classes, await runtimeFor(backend));
    } catch (err) {
      formError.textContent = (err as Error).message.replace(/^descent: /, "");
      return;
    }
    resetModel();
    model = next;
    const current: Run = {
      model: next, controller: new AbortController(), stop: false, epochs: settings.epochs,
      description: describeSettings(settings, classes), updateEvery: updateEveryFor(parameterCount(settings, classes)),
    };
    run = current;
    const asked = threadsFor(backend);
    showBackend(backend, asked === "auto" ? cores : asked);
    // Until the worker says what it runs on (onStart).
    stat.backend.dataset.threads = "";
    setTraining(true);
    setStatus(`Training ${current.description} on ${points.length} points …`);
    drawLoss(lossChart, [], settings.epochs);
    try {
      await trainInWorker(next, X, y, {
        epochs: settings.epochs,
        batchSize: settings.batchSize,
        updateEvery: current.updateEvery,
        signal: current.controller.signal,
        threads: asked,
        onStart: ({ backend: used, threads, singleThreaded }) => {
          if (run !== current) return;
          showBackend(used, threads);
          // Where this page is isolated and its worker still cannot start threads (no nested workers, say).
          if (singleThreaded !== undefined) say(`Training runs on one thread: ${singleThreaded}.`);
        },
        onEpoch: (info) => {
          if (current.controller.signal.aborted) return false;
          losses.push(info.loss);
          lastInfo = info;
          weightsAt = performance.now();
          lossDirty = true;
          requestFrame();
          return !current.stop;
        },
      });
      if (run !== current) return;
      weightsAt = performance.now();
      accuracyStale = true;
      const epochs = next.history.loss.length;
      losses = [...next.history.loss];
      updateAccuracy();
      setStatus(`${current.stop ? "Stopped" : "Done"}: ${current.description}, ${epochs} epochs.`);
    } catch (err) {
      if (run !== current) return;
      const reason = current.controller.signal.aborted ? current.controller.signal.reason : err;
      if (current.controller.signal.aborted && (reason as Error)?.message === "cancelled") {
        setStatus(`Cancelled at epoch ${lastInfo?.epoch ?? 0}.`);
      } else {
        setStatus(`Training failed: ${((err as Error)?.message ?? String(err)).replace(/^descent: /, "")}`);
      }
    } finally {
      if (run === current) {
        run = undefined;
        setTraining(false);
        lossDirty = true;
        redraw();
      } else if (model !== current.model) {
        current.model.dispose();
      }
    }
  }

  // ------------------------------------------------------------------ rendering
  function redraw(): void {
    sceneDirty = true;
    requestFrame();
  }

  function requestFrame(): void {
    if (frame === 0) frame = requestAnimationFrame(render);
  }

  let lastLossDraw = 0;
  /** When the last region image completed, and the main-thread milliseconds it took. */
  let regionsDoneAt = -Infinity;
  let regionsCost = 0;
  function render(now: number): void {
    frame = 0;
    // New weights since the image shown started: begin a fresh one, but spend at most about a
    // seventh of the main thread on images (a large model's grid costs tens of milliseconds).
    const interval = Math.max(run?.updateEvery ?? 100, 6 * regionsCost);
    const wanted = model !== undefined && weightsAt > regionsFrom;
    if (wanted && !painter.busy && now - regionsDoneAt >= interval) {
      regionsFrom = performance.now();
      regionsCost = 0;
      painter.start(model as Model);
    }
    if (painter.busy) {
      const t0 = performance.now();
      const done = painter.step(FRAME_BUDGET_MS);
      regionsCost += performance.now() - t0;
      if (done) {
        regionsDoneAt = now;
        sceneDirty = true;
        accuracyStale = true;
      }
    }
    if (accuracyStale && model !== undefined && painter.image !== undefined && !painter.busy) updateAccuracy();
    if (sceneDirty) {
      sceneDirty = false;
      drawScene(canvas, painter.image, points, cursorVisible ? cursor : undefined);
    }
    if (lastInfo !== undefined) {
      setText(stat.epoch, `${lastInfo.epoch} / ${lastInfo.epochs}`);
      stat.epoch.dataset.value = String(lastInfo.epoch);
      setText(stat.speed, lastInfo.seconds > 0 ? formatRate(lastInfo.epoch / lastInfo.seconds) : "–");
      setText(stat.loss, lastInfo.loss.toPrecision(4));
    }
    if (lossDirty && (now - lastLossDraw > 250 || run === undefined)) {
      lastLossDraw = now;
      lossDirty = false;
      drawLoss(lossChart, losses, run?.epochs ?? losses.length);
    }
    if (painter.busy || wanted || lossDirty) requestFrame();
  }

  function updateAccuracy(): void {
    accuracyStale = false;
    if (model === undefined || points.length === 0) return;
    try {
      const { X, y } = toTraining(points);
      const predicted = model.predict(X) as unknown as ArrayLike<number>;
      let hits = 0;
      for (let i = 0; i < y.length; i++) if (Number(predicted[i]) === y[i]) hits++;
      const acc = hits / y.length;
      stat.accuracy.textContent = `${(100 * acc).toFixed(1)} %`;
      stat.accuracy.dataset.value = acc.toFixed(4);
    } catch {
      // Not fitted yet.
    }
  }

  drawLoss(lossChart, [], 0);
  pointsChanged();
  fitCanvas();
  showPlan();
  return {
    reloadForThreads: () => say(`Reload the page to train on up to ${cores} threads: its service worker now makes it cross-origin isolated.`),
    noServiceWorker: () => {
      if (!isIsolated()) say(NOT_ISOLATED);
    },
  };
}

/** Sets an element's text only when it changes (no needless layout work per frame). */
function setText(el: HTMLElement, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}

function formatRate(v: number): string {
  return v >= 100 ? Math.round(v).toLocaleString("en-US") : v.toPrecision(3);
}
