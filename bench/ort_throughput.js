// ONNX Runtime's CPU throughput on an exported model: the bar for the evaluator's float path.
//
//   npm install --ignore-scripts onnxruntime-node      (its Linux x64 CPU library ships inside)
//   python3 tests/data/make_timm_fixtures.py --out tests/data --onnx onnx/   (needs PyTorch, timm)
//   node bench/ort_throughput.js onnx/vit-28x28-random.onnx 256 2
//
// Arguments: model, batch, threads. Prints the median of 15 timed runs after 3 warm-ups.
const ort = require("onnxruntime-node");

async function main() {
  const [model, batchArg, threadsArg] = process.argv.slice(2);
  if (!model) {
    console.error("usage: node bench/ort_throughput.js MODEL.onnx [BATCH=256] [THREADS=2]");
    process.exit(2);
  }
  const batch = Number(batchArg || 256), threads = Number(threadsArg || 2);
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: "all"});
  const meta = model.includes("28x28") ? [1, 28, 28] : [3, 224, 224];
  const size = batch * meta.reduce((a, b) => a * b, 1);
  const data = new Float32Array(size).map(() => Math.random() * 2 - 1);
  const feeds = {[session.inputNames[0]]: new ort.Tensor("float32", data, [batch, ...meta])};
  for (let i = 0; i < 3; ++i) await session.run(feeds);
  const times = [];
  for (let i = 0; i < 15; ++i) {
    const t0 = process.hrtime.bigint();
    await session.run(feeds);
    times.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  console.log(`${model}: batch ${batch}, ${threads} threads: ${(median * 1e3).toFixed(2)} ms, ` +
              `${(batch / median).toFixed(1)} images/s (median of 15)`);
}

main().catch((e) => { console.error(`ort_throughput: ${e.message}`); process.exit(1); });
