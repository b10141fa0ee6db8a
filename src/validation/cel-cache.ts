/**
 * Remembers CEL verdicts across runs, in a JSON file: a rule's verdict depends only on the rule
 * text and the value it is given, so an unchanged object needs no evaluation, and a synth whose
 * objects all hit the cache never loads the CEL library. The file name carries a hash of the
 * evaluator (its module and the CEL library's version), so a change to either starts a new file.
 * Used by the cdk8s validation plugin; `validateManifests` evaluates every time unless asked.
 */
import type { Hash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** A SHA-256 hash; node:crypto is loaded on first use (an app that only builds constructs never needs it). */
function sha256(): Hash {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('node:crypto') as typeof import('node:crypto')).createHash('sha256');
}

/** Beyond this many verdicts the file starts over (objects that keep changing). */
const MAX_ENTRIES = 20_000;

export class CelVerdictCache {
  /** The cache key of `rule` on a value whose `celValueText` is `valueText`. */
  public static key(rule: string, valueText: string): string {
    return sha256().update(rule).update('\0').update(valueText).digest('base64url');
  }

  private readonly file: string;
  private verdicts: Record<string, boolean | string> | undefined;
  private dirty = false;

  constructor(dir: string) {
    this.file = path.join(dir, `cel-verdicts-${evaluatorHash()}.json`);
  }

  public get(key: string): boolean | string | undefined {
    const verdicts = this.load();
    return Object.prototype.hasOwnProperty.call(verdicts, key) ? verdicts[key] : undefined;
  }

  public set(key: string, verdict: boolean | string): void {
    const verdicts = this.load();
    if (Object.keys(verdicts).length >= MAX_ENTRIES) {
      this.verdicts = {};
    }
    this.load()[key] = verdict;
    this.dirty = true;
  }

  /** Writes new verdicts (atomically: a reader never sees half a file). A cache that cannot be written is only slower. */
  public flush(): void {
    if (!this.dirty) {
      return;
    }
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      const tmp = `${this.file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify(this.load()));
      fs.renameSync(tmp, this.file);
      this.dirty = false;
    } catch {
      // read-only or missing folder: evaluate again next time
    }
  }

  private load(): Record<string, boolean | string> {
    if (this.verdicts === undefined) {
      try {
        this.verdicts = JSON.parse(fs.readFileSync(this.file, 'utf8')) as Record<string, boolean | string>;
      } catch {
        this.verdicts = {};
      }
    }
    return this.verdicts;
  }
}

/** A hash of the evaluator: this package's CEL module and the installed CEL library's package.json. */
function evaluatorHash(): string {
  const hash = sha256();
  hash.update(fs.readFileSync(require.resolve('./cel')));
  let dir = path.dirname(require.resolve('@bufbuild/cel'));
  while (!fs.existsSync(path.join(dir, 'package.json')) || !fs.readFileSync(path.join(dir, 'package.json'), 'utf8').includes('"name": "@bufbuild/cel"')) {
    const up = path.dirname(dir);
    if (up === dir) {
      break;
    }
    dir = up;
  }
  hash.update(fs.existsSync(path.join(dir, 'package.json')) ? fs.readFileSync(path.join(dir, 'package.json')) : 'unknown');
  return hash.digest('hex').slice(0, 16);
}
