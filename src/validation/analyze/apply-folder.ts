// What `kubectl apply -f <folder>/` reads, and whether all of it is Kubernetes manifests.
//
// kubectl (k8s.io/cli-runtime pkg/resource visitor.go, ExpandPathsToFileVisitors) walks the folder
// without descending into subfolders (unless -R), keeps the files whose extension is exactly
// .json, .yaml or .yml (FileExtensions, compared case-sensitively), decodes each as a stream of
// YAML or JSON documents, skips empty documents, and fails on a document without apiVersion or
// kind ("Object 'Kind' is missing").
import * as fs from 'node:fs';
import * as path from 'node:path';
import { yaml } from '../../private/lazy-yaml';
import { SourceIpValidationError } from '../../errors';
import { show } from '../../private/problems';
import { asObject, asString } from './model';
import { finding } from './rules';
import { AnalysisFinding } from './types';

/** The file extensions kubectl reads from a folder. */
export const KUBECTL_FILE_EXTENSIONS: readonly string[] = ['.json', '.yaml', '.yml'];

/** One document kubectl would apply. */
export interface FolderManifest {
  /** The file name, relative to the folder. */
  readonly file: string;
  /** Position of the document in its file (0-based). */
  readonly position: number;
  /** The parsed document. */
  readonly manifest: Readonly<Record<string, unknown>>;
}

/** What `kubectl apply -f <folder>/` would read. */
export interface ApplyFolderContents {
  /** The files kubectl reads, sorted. */
  readonly files: readonly string[];
  /** Their documents that are Kubernetes objects, in file order. */
  readonly manifests: readonly FolderManifest[];
  /** A `not-a-manifest` finding per file or document kubectl would reject. */
  readonly findings: readonly AnalysisFinding[];
}

/**
 * Reads the files `kubectl apply -f <dir>/` reads (not recursive: `.yaml`, `.yml`, `.json` directly
 * in `dir`), and reports every file or document that is not a Kubernetes manifest.
 *
 * @throws SourceIpValidationError when `dir` is not a readable folder
 */
export function readApplyFolder(dir: string): ApplyFolderContents {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    throw new SourceIpValidationError('readApplyFolder', [`'dir' must be a readable folder, got ${show(dir)} (${(e as Error).message.slice(0, 200)}). `
      + 'Fix: pass the folder kubectl applies, e.g. "dist"']);
  }
  const files = entries
    .filter((e) => KUBECTL_FILE_EXTENSIONS.includes(path.extname(e.name)) && !isFolder(dir, e))
    .map((e) => e.name)
    .sort();
  const manifests: FolderManifest[] = [];
  const findings: AnalysisFinding[] = [];
  for (const file of files) {
    const text = fs.readFileSync(path.join(dir, file), 'utf8');
    const ref = { kind: 'File', name: file, file };
    const docs = yaml().parseAllDocuments(text);
    const list = Array.isArray(docs) ? docs : [docs];
    list.forEach((doc, position) => {
      if (doc.errors.length > 0) {
        findings.push(finding('not-a-manifest', ref, `Document ${position} of ${file} does not parse as YAML or JSON (${doc.errors[0].message.split('\n')[0]}); kubectl rejects the file.`,
          'Write the file as YAML or JSON Kubernetes manifests, or move it out of the folder kubectl applies.'));
        return;
      }
      const value: unknown = doc.toJS();
      if (value === null || value === undefined) {
        return;
      }
      const problem = manifestProblem(value);
      if (problem !== undefined) {
        findings.push(finding('not-a-manifest', ref, `Document ${position} of ${file} is ${problem}; kubectl rejects it ("Object 'Kind' is missing").`,
          `Move ${file} out of the folder kubectl applies (a subfolder, which kubectl apply -f <folder>/ does not read), or do not write it there.`));
        return;
      }
      manifests.push({ file, position, manifest: value as Record<string, unknown> });
    });
  }
  return { files, manifests, findings };
}

/**
 * The `not-a-manifest` findings for `dir`: every file `kubectl apply -f <dir>/` reads that is not
 * made only of Kubernetes manifests (each document with apiVersion and kind). Empty when kubectl
 * would take the whole folder.
 *
 * @throws SourceIpValidationError when `dir` is not a readable folder
 */
export function checkApplyFolder(dir: string): AnalysisFinding[] {
  return [...readApplyFolder(dir).findings];
}

function isFolder(dir: string, entry: fs.Dirent): boolean {
  if (entry.isDirectory()) {
    return true;
  }
  // A symlink is followed, as kubectl's os.Stat would.
  return entry.isSymbolicLink() && fs.statSync(path.join(dir, entry.name), { throwIfNoEntry: false })?.isDirectory() === true;
}

function manifestProblem(value: unknown): string | undefined {
  const object = asObject(value);
  if (object === undefined) {
    return `a ${Array.isArray(value) ? 'list' : typeof value}, not an object`;
  }
  const missing = [asString(object.apiVersion) ? undefined : 'apiVersion', asString(object.kind) ? undefined : 'kind'].filter((m) => m !== undefined);
  if (missing.length > 0) {
    return `an object without ${missing.join(' and ')}`;
  }
  if (object.kind === 'List') {
    const bad = (Array.isArray(object.items) ? object.items : []).map(manifestProblem).find((p) => p !== undefined);
    return bad === undefined ? undefined : `a List with an item that is ${bad}`;
  }
  return undefined;
}
