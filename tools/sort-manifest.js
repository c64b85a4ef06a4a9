// Writes oclif.manifest.json with its commands in a fixed order (top-level commands, then topics, each
// alphabetical): `oclif manifest` lists them in the order its file scan finishes, which varies between
// builds, and the committed file should change only when a command does.
import { readFileSync, writeFileSync } from 'node:fs';

const file = new URL('../oclif.manifest.json', import.meta.url);
const manifest = JSON.parse(readFileSync(file, 'utf8'));
const rank = (id) => (id.includes(':') ? 1 : 0);
const ids = Object.keys(manifest.commands).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
manifest.commands = Object.fromEntries(ids.map((id) => [id, manifest.commands[id]]));
writeFileSync(file, JSON.stringify(manifest, null, 2) + '\n');
