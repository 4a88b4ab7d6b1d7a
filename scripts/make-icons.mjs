// Renders the app icon (assets/icons/icon.svg) to the PNG sizes electron-builder takes:
// icon-512.png (Linux, macOS) and icon-256.png (Windows; electron-builder makes the .ico from it).
// Run after editing the SVG: node scripts/make-icons.mjs
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';

const dir = new URL('../assets/icons/', import.meta.url);
const svg = await readFile(new URL('icon.svg', dir));
for (const size of [512, 256]) {
  const out = new URL(`icon-${size}.png`, dir);
  // Render at 4x the SVG's density before resizing, so edges stay smooth at every size.
  await sharp(svg, { density: Math.ceil((72 * size * 4) / 512) })
    .resize(size, size)
    .png({ compressionLevel: 9 })
    .toFile(out.pathname);
  console.log(`wrote ${out.pathname}`);
}
