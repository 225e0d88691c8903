#!/usr/bin/env node
// face-api 1.7.15 in Node, without the native tfjs-node: the pure-JS cpu backend (the reference:
// bit-exact pre-processing) or the wasm backend (faster; its resize differs slightly, see
// shared/spec/faceapi-detectors.md section 5). For each input image it writes face-api's raw
// tensors (SSD: box encodings [5118,4] and class logits [5118,3] as they enter the output layer;
// Tiny: the [13,13,25] grid) and face-api's own final detections, so the harness can check its
// imported ONNX models and its decoders against the library itself.
//
// usage: node faceapi-reference.js --models DIR --out DIR [--backend cpu|wasm] [--detectors ssd,tiny]
//        [--score 0.02] [--max-results 750] [--raw] [--wider-root DIR --list FILE | --synthetic | IMAGE...]
//  IMAGE: a .jpg (decoded with jpeg-js, as face-api's reference run) or a binary .ppm (P6: pixels
//         decoded by someone else, e.g. the harness, so both sides see identical RGB).
//  --list FILE: lines "event/name" (no extension); images are read from --pixels DIR/<event>/<name>.ppm
//         when --pixels is given, else from WIDER_val/images/<event>/<name>.jpg under --wider-root.
//  --synthetic: the deterministic synthetic image (SyntheticImage in the C# tests: same formula).
//  --raw: also write <out>/raw/<key>.<ssd_enc|ssd_logits|tiny_grid>.f32 (little-endian float32).
// Output: <out>/<detector>/<event>/<name>.txt in the WIDER prediction format (x y w h score, pixels),
// and <out>/<detector>.json with every detection at full precision.
'use strict';
const fs = require('fs');
const path = require('path');
const tf = require('@tensorflow/tfjs');
const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');
const jpeg = require('jpeg-js');

function parseArgs(argv) {
  const a = { backend: 'cpu', detectors: ['ssd', 'tiny'], score: 0.02, maxResults: 750, raw: false, images: [] };
  for (let i = 2; i < argv.length; i++) {
    const k = argv[i];
    const v = () => { if (i + 1 >= argv.length) throw new Error(`${k} needs a value`); return argv[++i]; };
    switch (k) {
      case '--models': a.models = v(); break;
      case '--out': a.out = v(); break;
      case '--backend': a.backend = v(); break;
      case '--detectors': a.detectors = v().split(','); break;
      case '--score': a.score = Number(v()); break;
      case '--max-results': a.maxResults = Number(v()); break;
      case '--raw': a.raw = true; break;
      case '--wider-root': a.widerRoot = v(); break;
      case '--pixels': a.pixels = v(); break;
      case '--list': a.list = v(); break;
      case '--synthetic': a.synthetic = true; break;
      default:
        if (k.startsWith('--')) throw new Error(`unknown option ${k}`);
        a.images.push(k);
    }
  }
  if (!a.models || !a.out) throw new Error('--models DIR and --out DIR are required');
  return a;
}

// The synthetic test image: smooth gradients, a few discs and a checker patch; integer arithmetic
// only, so C# and JS produce the same bytes. Size 700x455 (non-square: exercises the bottom
// padding and face-api's rounded reshaped size, 455*512/700 = 332.8).
const SYNTH_W = 700, SYNTH_H = 455;
function syntheticImage() {
  const data = new Uint8Array(SYNTH_W * SYNTH_H * 3);
  const discs = [[200, 180, 70, 224, 172, 140], [480, 220, 110, 198, 150, 120], [610, 90, 40, 90, 60, 50]];
  for (let y = 0; y < SYNTH_H; y++) {
    for (let x = 0; x < SYNTH_W; x++) {
      let r = (x * 255 / (SYNTH_W - 1)) | 0;
      let g = (y * 255 / (SYNTH_H - 1)) | 0;
      let b = ((x + y) * 7) & 255;
      if (x >= 40 && x < 140 && y >= 320 && y < 420 && (((x >> 3) + (y >> 3)) & 1)) { r = 255 - r; g = 255 - g; b = 255 - b; }
      for (const [cx, cy, rad, dr, dg, db] of discs) {
        const dx = x - cx, dy = y - cy;
        const d2 = dx * dx + dy * dy;
        if (d2 < rad * rad) {
          r = dr; g = dg; b = db;
          // two dark "eyes" and a "mouth" line inside each disc
          const ex = (rad * 2) / 5 | 0, ey = rad / 4 | 0, er = Math.max(2, rad / 7 | 0);
          const l = (dx + ex) * (dx + ex) + (dy + ey) * (dy + ey), rr = (dx - ex) * (dx - ex) + (dy + ey) * (dy + ey);
          if (l < er * er || rr < er * er) { r = 30; g = 25; b = 20; }
          if (dy > rad / 3 && dy < rad / 3 + Math.max(2, rad / 10 | 0) && dx > -rad / 3 && dx < rad / 3) { r = 120; g = 40; b = 40; }
        }
      }
      const o = (y * SYNTH_W + x) * 3;
      data[o] = r; data[o + 1] = g; data[o + 2] = b;
    }
  }
  return { width: SYNTH_W, height: SYNTH_H, data };
}

function readPpm(file) {
  const buf = fs.readFileSync(file);
  // P6\n<w> <h>\n255\n<rgb bytes>; no comments (the harness writes exactly this)
  const header = buf.subarray(0, 64).toString('latin1');
  const m = /^P6\s+(\d+)\s+(\d+)\s+255\s/.exec(header);
  if (!m) throw new Error(`${file}: not a binary 8-bit PPM`);
  const width = Number(m[1]), height = Number(m[2]);
  const data = buf.subarray(m[0].length, m[0].length + width * height * 3);
  if (data.length !== width * height * 3) throw new Error(`${file}: truncated PPM`);
  return { width, height, data };
}

function readJpeg(file) {
  const img = jpeg.decode(fs.readFileSync(file), { useTArray: true, formatAsRGBA: false, maxMemoryUsageInMB: 2048 });
  return { width: img.width, height: img.height, data: img.data };
}

function loadNet(net, dir, name) {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, `${name}-weights_manifest.json`), 'utf8'));
  const bin = fs.readFileSync(path.join(dir, manifest[0].paths[0]));
  const buffer = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength);
  net.loadFromWeightMap(tf.io.decodeWeights(buffer, manifest[0].weights));
}

// Records the outputs of the Concat kernel: face-api's SSD concatenates the six heads into the raw
// encodings [1,5118,1,4] and logits [1,5118,3] right before its output layer.
let captured = [];
function interceptConcat(backendName) {
  const config = tf.getKernel('Concat', backendName);
  tf.unregisterKernel('Concat', backendName);
  tf.registerKernel({
    ...config,
    kernelFunc: (args) => {
      const out = config.kernelFunc(args);
      const info = Array.isArray(out) ? out[0] : out;
      const n = info.shape.reduce((p, d) => p * d, 1);
      if (n === 5118 * 4 || n === 5118 * 3) captured.push({ shape: info.shape.slice(), values: Float32Array.from(args.backend.readSync(info.dataId)) });
      return out;
    },
  });
}

// face-api's SSD NMS calls boxes.arraySync() for every IoU; tensors are immutable, so memoise it.
const arrayCache = new WeakMap();
const originalArraySync = tf.Tensor.prototype.arraySync;
tf.Tensor.prototype.arraySync = function () {
  let v = arrayCache.get(this);
  if (v === undefined) { v = originalArraySync.call(this); arrayCache.set(this, v); }
  return v;
};

function writeF32(file, values) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, Buffer.from(values.buffer, values.byteOffset, values.byteLength));
}

function fmt(v) { return String(v); }

async function main() {
  const a = parseArgs(process.argv);
  if (a.backend === 'wasm') {
    const wasm = require('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), '/'));
  }
  await tf.setBackend(a.backend);
  await tf.ready();
  interceptConcat(a.backend);
  const ssd = new faceapi.SsdMobilenetv1();
  const tiny = new faceapi.TinyFaceDetector();
  loadNet(ssd, a.models, 'ssd_mobilenetv1_model');
  loadNet(tiny, a.models, 'tiny_face_detector_model');

  const inputs = [];
  if (a.synthetic) inputs.push({ key: 'synthetic/synthetic', load: syntheticImage });
  for (const f of a.images) inputs.push({ key: 'images/' + path.basename(f).replace(/\.[^.]*$/, ''), load: () => (f.endsWith('.ppm') ? readPpm(f) : readJpeg(f)) });
  if (a.list) {
    for (const line of fs.readFileSync(a.list, 'utf8').split(/\r?\n/)) {
      const key = line.trim();
      if (!key) continue;
      const file = a.pixels ? path.join(a.pixels, key + '.ppm') : path.join(a.widerRoot, 'WIDER_val', 'images', key + '.jpg');
      inputs.push({ key, load: () => (file.endsWith('.ppm') ? readPpm(file) : readJpeg(file)) });
    }
  }
  const all = { backend: a.backend, score: a.score, maxResults: a.maxResults, images: {} };
  const results = Object.fromEntries(a.detectors.map((d) => [d, {}]));
  const started = Date.now();
  for (let n = 0; n < inputs.length; n++) {
    const { key, load } = inputs[n];
    const img = load();
    const tensor = tf.tensor3d(img.data, [img.height, img.width, 3], 'int32');
    all.images[key] = { width: img.width, height: img.height };
    for (const det of a.detectors) {
      let dets;
      if (det === 'ssd') {
        captured = [];
        const raw = await ssd.locateFaces(tensor, new faceapi.SsdMobilenetv1Options({ minConfidence: a.score, maxResults: a.maxResults }));
        if (a.raw) {
          const enc = captured.find((c) => c.values.length === 5118 * 4);
          const logits = captured.find((c) => c.values.length === 5118 * 3);
          if (!enc || !logits) throw new Error('SSD raw tensors were not captured');
          writeF32(path.join(a.out, 'raw', key + '.ssd_enc.f32'), enc.values);
          writeF32(path.join(a.out, 'raw', key + '.ssd_logits.f32'), logits.values);
        }
        dets = raw.map((d) => ({ x: d.box.x, y: d.box.y, w: d.box.width, h: d.box.height, score: d.score }));
      } else if (det === 'tiny') {
        const options = new faceapi.TinyFaceDetectorOptions({ inputSize: 416, scoreThreshold: a.score });
        if (a.raw) {
          const netInput = await faceapi.toNetInput(tensor);
          const grid = tiny.forwardInput(netInput, 416);
          writeF32(path.join(a.out, 'raw', key + '.tiny_grid.f32'), Float32Array.from(grid.dataSync()));
          grid.dispose();
        }
        const raw = await tiny.locateFaces(tensor, options);
        dets = raw.map((d) => ({ x: d.box.x, y: d.box.y, w: d.box.width, h: d.box.height, score: d.score }));
      } else {
        throw new Error(`unknown detector ${det}`);
      }
      results[det][key] = dets;
      const [event, name] = key.split('/');
      const file = path.join(a.out, det, event, name + '.txt');
      fs.mkdirSync(path.dirname(file), { recursive: true });
      const lines = [name, String(dets.length), ...dets.map((d) => `${fmt(d.x)} ${fmt(d.y)} ${fmt(d.w)} ${fmt(d.h)} ${fmt(d.score)}`)];
      fs.writeFileSync(file, lines.join('\n') + '\n');
    }
    tensor.dispose();
    if ((n + 1) % 25 === 0) process.stderr.write(`${n + 1}/${inputs.length} images, ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  }
  for (const det of a.detectors) fs.writeFileSync(path.join(a.out, det + '.json'), JSON.stringify({ ...all, detector: det, detections: results[det] }));
  process.stderr.write(`done: ${inputs.length} images in ${((Date.now() - started) / 1000).toFixed(1)} s (${a.backend})\n`);
}

main().catch((e) => { process.stderr.write(`faceapi-reference: ${e.stack || e}\n`); process.exit(2); });
