// Validates Kubernetes manifests against the API's schemas as packaged by kubernetes-models
// (ESM only, hence a process of its own rather than a jest import). Prints one JSON line per
// document: { file, kind, name, errors }. Usage: node validateKubernetes.mjs FILE...
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

const groupOf = (apiVersion) => (apiVersion.includes('/') ? apiVersion : `core/${apiVersion}`).split('/');

for (const file of process.argv.slice(2)) {
  for (const document of parseAllDocuments(fs.readFileSync(file, 'utf8'))) {
    const manifest = document.toJS();
    if (!manifest) continue;
    const [group, version] = groupOf(String(manifest.apiVersion));
    const result = { file: path.basename(file), kind: manifest.kind, name: manifest.metadata?.name, errors: [] };
    try {
      const models = await import(group === 'core' ? `kubernetes-models/${version}` : `kubernetes-models/${group}/${version}`);
      const Model = models[manifest.kind];
      if (!Model) throw new Error(`no schema for ${manifest.apiVersion} ${manifest.kind}`);
      new Model(manifest).validate();
    } catch (error) {
      result.errors.push(error instanceof Error ? error.message : String(error));
    }
    console.log(JSON.stringify(result));
  }
}
