// Turns one model folder of the npm package nsfwjs (dist/models/NAME: model.min.js exports the
// TF.js layers model JSON, group1-shardKofN.min.js export the weight shards as base64 strings)
// into the plain TF.js layers format diffad reads: model.json and weights.bin.
// Used by `diffad fetch-backbone`: node convert-nsfwjs.js SRC_DIR DST_DIR
const fs = require('fs');
const path = require('path');
const [src, dst] = process.argv.slice(2);
fs.mkdirSync(dst, { recursive: true });
const model = require(path.resolve(src, 'model.min.js'));
if (!model.modelTopology || !model.weightsManifest) {
  throw new Error(src + '/model.min.js does not export a TF.js layers model');
}
const shards = [];
for (const group of model.weightsManifest) {
  for (const p of group.paths) {
    const b64 = require(path.resolve(src, p + '.min.js'));
    if (typeof b64 !== 'string') throw new Error(p + '.min.js does not export a base64 string');
    shards.push(Buffer.from(b64, 'base64'));
  }
  group.paths = [];
}
model.weightsManifest = [{
  paths: ['weights.bin'],
  weights: model.weightsManifest.flatMap(g => g.weights),
}];
fs.writeFileSync(path.join(dst, 'weights.bin'), Buffer.concat(shards));
fs.writeFileSync(path.join(dst, 'model.json'), JSON.stringify(model));
