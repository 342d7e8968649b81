// Golden activations of the packaged backbones, computed independently with TensorFlow.js's own
// Keras layers (tfjs 4.22.0, CPU backend), for BackboneGoldenTest.
//
// Run (after ./diffad fetch-backbone), from an empty folder:
//   npm install @tensorflow/tfjs@4.22.0
//   node /path/to/backbone_golden.js ~/.cache/diffad/backbones/nsfwjs-4.4.0 backbone_golden.json
//
// Input: one image, x[h][w][c] = 0.9 * sin(0.05 h + 0.11 w + 1.3 c) (already in Keras's [-1, 1]).
// For each layer the output is given in NCHW order (as diffad computes it): its shape, mean,
// mean of absolute values, and the values at 40 flat indices spread over the tensor.
const tf = require(require.resolve('@tensorflow/tfjs', { paths: [process.cwd()] }));
const fs = require('fs');
const path = require('path');

const root = process.argv[2];
const cases = [
  { name: 'mobilenet_v2', size: 96, layers: ['block_5_add', 'block_9_add'] },
  { name: 'inception_v3', size: 107, layers: ['mixed0', 'mixed2'] },
];
(async () => {
const out = { generator: 'backbone_golden.js, @tensorflow/tfjs 4.22.0', cases: [] };
for (const c of cases) {
  const dir = path.join(root, c.name);
  const json = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
  // Only the graph up to the chosen layers, at any input size (the head's Flatten needs a fixed
  // one): keep their ancestors, make them the outputs, keep their weights.
  const cfg = json.modelTopology.model_config.config;
  const byName = new Map(cfg.layers.map(l => [l.name, l]));
  const keep = new Set();
  const todo = [...c.layers];
  while (todo.length) {
    const n = todo.pop();
    if (keep.has(n)) continue;
    keep.add(n);
    for (const node of byName.get(n).inbound_nodes) for (const inb of node) todo.push(inb[0]);
  }
  cfg.layers = cfg.layers.filter(l => keep.has(l.name));
  cfg.output_layers = c.layers.map(l => [l, 0, 0]);
  for (const l of cfg.layers) {
    if (l.class_name === 'InputLayer') l.config.batch_input_shape = [null, null, null, 3];
  }
  const bin = fs.readFileSync(path.join(dir, json.weightsManifest[0].paths[0]));
  const specs = [];
  const parts = [];
  let offset = 0;
  for (const w of json.weightsManifest[0].weights) {
    const n = w.shape.reduce((a, b) => a * b, 1);
    const bytes = n * (w.quantization ? (w.quantization.dtype === 'uint8' ? 1 : 2) : 4);
    if (keep.has(w.name.split('/')[0])) {
      specs.push(w);
      parts.push(bin.subarray(offset, offset + bytes));
    }
    offset += bytes;
  }
  const kept = Buffer.concat(parts);
  const model = await tf.loadLayersModel(tf.io.fromMemory({
    modelTopology: json.modelTopology,
    weightSpecs: specs,
    weightData: kept.buffer.slice(kept.byteOffset, kept.byteOffset + kept.byteLength),
  }));
  const sub = tf.model({ inputs: model.inputs, outputs: c.layers.map(l => model.getLayer(l).output) });
  const s = c.size;
  const x = new Float32Array(s * s * 3);
  for (let h = 0; h < s; h++) for (let w = 0; w < s; w++) for (let k = 0; k < 3; k++) {
    x[(h * s + w) * 3 + k] = 0.9 * Math.sin(0.05 * h + 0.11 * w + 1.3 * k);
  }
  let ys = sub.predict(tf.tensor4d(x, [1, s, s, 3]));
  if (!Array.isArray(ys)) ys = [ys];
  const layers = [];
  for (let i = 0; i < ys.length; i++) {
    const nchw = ys[i].transpose([0, 3, 1, 2]);
    const v = await nchw.data();
    const idx = [];
    for (let j = 0; j < 40; j++) idx.push(Math.floor((j * 0.6180339887 % 1) * v.length));
    let sum = 0, abs = 0;
    for (const a of v) { sum += a; abs += Math.abs(a); }
    layers.push({ layer: c.layers[i], shape: nchw.shape, mean: sum / v.length, meanAbs: abs / v.length,
      indices: idx, values: idx.map(j => v[j]) });
  }
  out.cases.push({ backbone: c.name, size: s, layers });
}
fs.writeFileSync(process.argv[3], JSON.stringify(out, null, 1) + '\n');
})();
