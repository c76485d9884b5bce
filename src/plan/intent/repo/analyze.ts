/**
 * analyzeRepository: a repository (local directory or git URL) → AppProfile, by reading the files
 * that describe how the app runs: Dockerfile, Compose file, package.json, Helm chart, Kubernetes
 * manifests. Files are data: nothing is executed, and each reader only extracts typed facts.
 */
import { checkoutRepository, type CheckoutOptions } from './checkout.js';
import { assembleProfile } from './assemble.js';
import { readCompose } from './compose.js';
import { readDockerfile } from './dockerfile.js';
import type { Fact } from './facts.js';
import { readHelmChart } from './helm-chart.js';
import { MANIFEST_DIRS, readK8sManifests } from './k8s-manifests.js';
import { ENTRY_CANDIDATES, parsePackageJson, readPackageJson } from './package-json.js';
import type { AppProfile } from './profile.js';
import { RepoFiles } from './repo-files.js';

export interface AnalyzeOptions extends CheckoutOptions {
  /** Files larger than this are skipped (default 1 MiB). */
  maxFileBytes?: number;
  /** At most this many files are read (default 200). */
  maxFiles?: number;
}

const DOCKERFILES = ['Dockerfile', 'dockerfile', 'Containerfile'];
const COMPOSE_FILES = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'];
const CHART_DIRS = ['', 'chart', 'helm', 'charts', 'deploy/helm', 'deploy/chart'];

export async function analyzeRepository(source: string, opts: AnalyzeOptions = {}): Promise<AppProfile> {
  const checkout = await checkoutRepository(source, opts);
  try {
    const files = new RepoFiles(checkout.dir, { maxFileBytes: opts.maxFileBytes ?? 1024 * 1024, maxFiles: opts.maxFiles ?? 200 });
    const facts: Fact[] = [];
    const warnings: string[] = [];
    const take = (r: { facts: Fact[]; warnings: string[] }): void => {
      facts.push(...r.facts);
      warnings.push(...r.warnings);
    };

    for (const name of DOCKERFILES) {
      const text = await files.read(name);
      if (text !== undefined) {
        take(readDockerfile(text, name));
        break;
      }
    }
    for (const name of COMPOSE_FILES) {
      const text = await files.read(name);
      if (text !== undefined) {
        take(readCompose(text, name));
        break;
      }
    }
    const pkgText = await files.read('package.json');
    if (pkgText !== undefined) {
      const { pkg, warning } = parsePackageJson(pkgText, 'package.json');
      if (warning) warnings.push(warning);
      if (pkg) {
        let entry: { file: string; text: string } | undefined;
        for (const candidate of pkg.main ? [pkg.main.replace(/^\.\//, ''), ...ENTRY_CANDIDATES] : ENTRY_CANDIDATES) {
          const text = await files.read(candidate);
          if (text !== undefined) {
            entry = { file: candidate, text };
            break;
          }
        }
        take(readPackageJson(pkg, 'package.json', entry));
      }
    }
    for (const dir of CHART_DIRS) {
      const chartFile = await findChart(files, dir);
      if (!chartFile) continue;
      const chartText = await files.read(chartFile);
      if (chartText === undefined) continue;
      const valuesFile = chartFile.replace(/Chart\.yaml$/, 'values.yaml');
      const valuesText = await files.read(valuesFile);
      take(readHelmChart(chartText, chartFile, valuesText === undefined ? undefined : { file: valuesFile, text: valuesText }));
      break;
    }
    const manifests: { file: string; text: string }[] = [];
    for (const dir of MANIFEST_DIRS) {
      for (const file of await files.list(dir, /\.ya?ml$/i)) {
        const text = await files.read(file);
        if (text !== undefined) manifests.push({ file, text });
      }
    }
    take(readK8sManifests(manifests));

    return assembleProfile(facts, checkout.label, [...files.warnings, ...warnings]);
  } finally {
    await checkout.cleanup();
  }
}

/** Chart.yaml directly in `dir`, or in its first subdirectory that has one (charts/<name>/Chart.yaml). */
async function findChart(files: RepoFiles, dir: string): Promise<string | undefined> {
  const direct = dir === '' ? 'Chart.yaml' : `${dir}/Chart.yaml`;
  const found = await files.list(dir, /^Chart\.yaml$/, 1);
  return found.includes(direct) ? direct : found[0];
}
