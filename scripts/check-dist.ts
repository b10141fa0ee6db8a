/**
 * Fails when the committed `dist/` differs from a fresh synth of the default app.
 *
 * Synthesizes into a temporary folder with the same cdk8s CLI command `npm run synth` uses (so the
 * app runs from lib/, rebuilt first when stale, and the validation plugin runs), then compares file
 * names and bytes. Fix a failure with `npm run synth` and commit `dist/`.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

function filesIn(dir: string): string[] {
  if (!fs.existsSync(dir)) {
    return [];
  }
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => fs.statSync(path.join(dir, f)).isFile())
    .sort();
}

function main(): void {
  const committed = path.resolve('dist');
  const fresh = fs.mkdtempSync(path.join(os.tmpdir(), 'dist-check-'));
  try {
    const cli = ['-r', './scripts/cdk8s-cli-preload.js', path.join('node_modules', 'cdk8s-cli', 'bin', 'cdk8s')];
    execFileSync(process.execPath, [...cli, 'synth', '--no-check-upgrade', '--output', fresh], {
      // Warnings go to stderr on every synth; they are not this check's business.
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false' },
    });
    const want = filesIn(fresh);
    const have = filesIn(committed);
    const problems: string[] = [];
    for (const f of want) {
      if (!have.includes(f)) {
        problems.push(`dist/${f} is missing`);
      } else if (!fs.readFileSync(path.join(fresh, f)).equals(fs.readFileSync(path.join(committed, f)))) {
        problems.push(`dist/${f} differs from a fresh synth`);
      }
    }
    for (const f of have.filter((x) => !want.includes(x))) {
      problems.push(`dist/${f} is not produced by a fresh synth`);
    }
    if (problems.length > 0) {
      console.error(`check:dist failed:\n  ${problems.join('\n  ')}\nFix: run \`npm run synth\` and commit dist/`);
      process.exit(1);
    }
    console.log(`check:dist: dist/ matches a fresh synth (${want.length} files)`);
  } finally {
    fs.rmSync(fresh, { recursive: true, force: true });
  }
}

main();
