import type { ImageOutput } from './contract.js';

/**
 * A blank (transparent black) RGBA image for `render` to fill.
 *
 * @example
 * const img = createImage(4, 2);
 * setPixel(img, 0, 0, 255, 0, 0); // red top-left pixel
 */
export function createImage(width: number, height: number): ImageOutput {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || width * height > 1 << 26) {
    throw new RangeError(`createImage: width and height must be positive integers with at most 2^26 pixels, got ${width}x${height}`);
  }
  return { type: 'image', width, height, rgba: new Uint8Array(width * height * 4) };
}

/**
 * Sets one pixel; coordinates outside the image are ignored. Alpha defaults to opaque.
 *
 * @example
 * setPixel(img, x, y, 0, 0, 0);
 */
export function setPixel(image: ImageOutput, x: number, y: number, r: number, g: number, b: number, a = 255): void {
  if (x < 0 || y < 0 || x >= image.width || y >= image.height) return;
  const o = (y * image.width + x) * 4;
  image.rgba[o] = r;
  image.rgba[o + 1] = g;
  image.rgba[o + 2] = b;
  image.rgba[o + 3] = a;
}
