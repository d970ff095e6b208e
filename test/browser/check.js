// Shared by every browser fixture (static page, worker, CSP page, Vite app): given the descent
// module however it was loaded, runs it on its best backend and on the js backend over a fixed
// input and returns what the tests compare. Plain JavaScript: browsers run it as it is.
export const INPUT = [-8, -3, -1.5, -0.25, 0, 0.5, 1, 2.5, 4, 8, 0.125, -0.75];

export async function run(descent) {
  const rt = await descent.init();
  const js = await descent.createRuntime({ backend: "js" });
  const x = new Float32Array(INPUT);
  const result = (r) => ({
    sigmoid: Array.from(r.activations.sigmoid.forward(x)),
    softmax: Array.from(r.activations.softmax.forward(x, { cols: 4 })),
    relu: Array.from(r.activations.relu.forward(x)),
  });
  // The plain functions run on the default runtime that init() made.
  const plain = {
    sigmoid: Array.from(descent.sigmoid(x)),
    softmax: Array.from(descent.softmax(x, { cols: 4 })),
    relu: Array.from(descent.relu(x)),
  };
  // Tensors in WASM memory, freed again.
  const t = rt.tensor(x, [3, 4]);
  const y = rt.activations.tanh.forward(t);
  const tanh = Array.from(y.data);
  t.dispose();
  y.dispose();
  // The data layer (csv-parse, bundled) and a model on top of the kernels.
  const csv = descent.parseCsv("a,b,y\n0,0,1\n1,0,3\n0,1,4\n1,1,6\n2,1,8\n1,2,9\n", { target: "y" });
  const model = await new descent.LinearRegression().fit(csv.X, csv.y);
  const predicted = Array.from(model.predict(descent.matrix([[3, 3]])));
  model.dispose();
  return {
    input: INPUT,
    backend: rt.backend,
    best: descent.bestBackend(),
    wasm: result(rt),
    plain,
    js: result(js),
    tanh,
    jsTanh: Array.from(js.activations.tanh.forward(x)),
    liveTensors: rt.memory().liveTensors,
    csvRows: csv.X.rows,
    predicted,
  };
}
