/**
 * Copies the vendor libraries the consoles load from node_modules/ into
 * static/vendor/, where Django serves them: the consoles run on a closed
 * network, so nothing may come from a CDN at run time.
 *
 * No bundler: the files npm ships are used as they are. The folder is
 * generated, so it is emptied first and every run gives the same result.
 * Run `npm ci` before `npm run build`.
 */

import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(fileURLToPath(import.meta.url));
const modules = join(root, "node_modules");
const vendor = join(root, "static", "vendor");

// [package, path inside the package, path inside static/vendor/]
const COPIES = [
  ["leaflet", "dist/leaflet.js", "leaflet.js"],
  // leaflet.js names its source map; a hashed static storage (collectstatic
  // with a manifest) refuses a reference to a file that is not there.
  ["leaflet", "dist/leaflet.js.map", "leaflet.js.map"],
  ["leaflet", "dist/leaflet.css", "leaflet.css"],
  ["leaflet", "dist/images", "images"],
  ["leaflet", "LICENSE", "licenses/leaflet.txt"],
  ["htmx.org", "dist/htmx.min.js", "htmx.min.js"],
  ["htmx.org", "LICENSE", "licenses/htmx.txt"],
  ["echarts", "dist/echarts.min.js", "echarts.min.js"],
  ["echarts", "LICENSE", "licenses/echarts.txt"],
];

function installedVersion(name) {
  const manifest = join(modules, name, "package.json");
  if (!existsSync(manifest)) {
    throw new Error(`${name} is not installed in ${modules}: run "npm ci" first.`);
  }
  return JSON.parse(readFileSync(manifest, "utf8")).version;
}

function build() {
  const versions = new Map();
  for (const [name] of COPIES) {
    if (!versions.has(name)) versions.set(name, installedVersion(name));
  }
  rmSync(vendor, { recursive: true, force: true });
  for (const [name, source, target] of COPIES) {
    const to = join(vendor, target);
    mkdirSync(dirname(to), { recursive: true });
    cpSync(join(modules, name, source), to, { recursive: true });
  }
  for (const [name, version] of versions) console.log(`vendor: ${name} ${version}`);
  console.log(`vendor: ${COPIES.length} entries copied to ${vendor}`);
}

try {
  build();
} catch (error) {
  console.error(`build failed: ${error.message}`);
  process.exit(1);
}
