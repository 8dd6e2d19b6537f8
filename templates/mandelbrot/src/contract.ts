import { createImage, defineContract, setPixel } from '@zi/sdk';

// Settings. The grid step is 10^-DECIMALS on both axes, over re in [-2, 2) and im in (-1, 1].
// DECIMALS = 2 gives 400 x 200 = 80,000 MCUs, quick to test and run. The paper's example uses five
// decimals (DECIMALS = 5: 400,000 x 200,000 = 8 x 10^10 MCUs).
const DECIMALS = 2;
// A point is in the set when z stays bounded for this many iterations.
const MAX_ITER = 2000;
// Diverged when |z| > 1000; compared as |z|^2 > 10^6 so no square root is needed.
const ESCAPE_SQUARED = 1e6;

const SCALE = 10 ** DECIMALS;
const WIDTH = 4 * SCALE;
const HEIGHT = 2 * SCALE;
// The image may hold at most 2^26 pixels; larger grids are drawn subsampled to this width.
const MAX_IMAGE_WIDTH = 4000;

/** One pixel's point c = re + im*i. */
interface Point {
  readonly re: number;
  readonly im: number;
}

export default defineContract({
  name: 'mandelbrot',
  version: '0.1.0',
  description: `Mandelbrot escape times on a ${WIDTH} x ${HEIGHT} grid (step 10^-${DECIMALS}), at most ${MAX_ITER} iterations`,
  // Li per MCU.
  price: 1n,
  limits: {
    // Gas is 1 per loop iteration and 1 per function entry, input generation included: up to
    // 2000 iterations plus a handful of calls. 2100 leaves room without hiding a runaway loop.
    gasPerMcu: 2100,
  },
  inputs: {
    count: WIDTH * HEIGHT,
    // Row by row from the top-left corner (-2 + 1i). Dividing by the exact power of ten rounds
    // less than multiplying by a rounded step (3 / 10 is 0.3, but 3 * 0.1 is 0.30000000000000004).
    at: (i: number): Point => ({
      re: -2 + (i % WIDTH) / SCALE,
      im: 1 - Math.floor(i / WIDTH) / SCALE,
    }),
  },
  // The number of iterations z -> z^2 + c (from z = 0) after which |z| > 1000 first holds, or
  // MAX_ITER when it never did: the point is taken to be in the set.
  mcu({ re, im }: Point): number {
    let zr = 0;
    let zi = 0;
    let n = 0;
    while (n < MAX_ITER && zr * zr + zi * zi <= ESCAPE_SQUARED) {
      const next = zr * zr - zi * zi + re;
      zi = 2 * zr * zi + im;
      zr = next;
      n++;
    }
    return n;
  },
  // Black for the set, a colour gradient by escape time elsewhere. Pixels without a result yet
  // stay transparent, so a partial job shows what is still missing.
  render(results) {
    const step = Math.ceil(WIDTH / MAX_IMAGE_WIDTH);
    const image = createImage(Math.ceil(WIDTH / step), Math.ceil(HEIGHT / step));
    const palette = buildPalette();
    for (const { index, output } of results) {
      const x = index % WIDTH;
      const y = Math.floor(index / WIDTH);
      // Subsampling for big grids: only every step-th point of every step-th row is drawn.
      if (x % step !== 0 || y % step !== 0) continue;
      if (output >= MAX_ITER) {
        setPixel(image, x / step, y / step, 0, 0, 0);
      } else {
        const o = output * 3;
        setPixel(image, x / step, y / step, palette[o], palette[o + 1], palette[o + 2]);
      }
    }
    return image;
  },
});

// Gradient stops: position in [0, 1] and colour. Deep blue far out, through white and orange,
// to dark near the boundary of the set.
const STOPS: readonly (readonly [number, number, number, number])[] = [
  [0, 0, 7, 100],
  [0.16, 32, 107, 203],
  [0.42, 237, 255, 255],
  [0.6425, 255, 170, 0],
  [0.8575, 60, 10, 40],
  [1, 0, 7, 100],
];

/** RGB of every escape time 0 .. MAX_ITER - 1, computed once per render instead of per pixel. */
function buildPalette(): Uint8Array {
  const palette = new Uint8Array(MAX_ITER * 3);
  const top = log2ish(MAX_ITER);
  for (let n = 1; n < MAX_ITER; n++) {
    // Escape times spread roughly geometrically, so a log scale uses the whole gradient.
    const t = log2ish(n) / top;
    let s = 1;
    while (s < STOPS.length - 1 && STOPS[s][0] < t) s++;
    const a = STOPS[s - 1];
    const b = STOPS[s];
    const f = (t - a[0]) / (b[0] - a[0]);
    palette[n * 3] = Math.round(a[1] + (b[1] - a[1]) * f);
    palette[n * 3 + 1] = Math.round(a[2] + (b[2] - a[2]) * f);
    palette[n * 3 + 2] = Math.round(a[3] + (b[3] - a[3]) * f);
  }
  return palette;
}

/** A continuous, piecewise-linear stand-in for log2(n), n >= 1, from integer bit length only. */
function log2ish(n: number): number {
  const k = 31 - Math.clz32(n);
  const p = 2 ** k;
  return k + (n - p) / p;
}
