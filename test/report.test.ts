import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { App } from 'cdk8s';
import {
  explain, explainIngressGateways, ExplainHopKind, ExplainPath, SourcePreservation, ExternalTrafficPolicy,
  renderSourceIpReport, SourceIpReportEntry,
} from '../src';
import { SeedScenario } from '../src/seed';

/** The seed scenario's report entries (its gateway, with its described GKE edge). */
function seedEntries(): SourceIpReportEntry[] {
  const app = new App({ outdir: 'dist' });
  new SeedScenario(app, 'source-ip');
  return explainIngressGateways(app);
}

/** Paths that exercise every part of a section: findings, refusal, ports, escaping. */
const MIXED: readonly SourceIpReportEntry[] = [
  {
    name: 'edge/spoofable',
    result: explain({
      hops: [{ kind: ExplainHopKind.L7, name: 'AWS ALB', appendsXff: 1, address: '198.51.100.20' }],
      gateway: { numTrustedProxies: 2, proxyProtocol: false },
    }),
  },
  {
    name: 'edge/refused',
    result: explain({
      hops: [{ kind: ExplainHopKind.L4, name: 'MetalLB', proxyProtocol: false, sourcePreservation: SourcePreservation.WITH_LOCAL }],
      gateway: { numTrustedProxies: 0, proxyProtocol: true, externalTrafficPolicy: ExternalTrafficPolicy.LOCAL },
    }),
  },
  {
    name: 'edge/odd|names',
    result: explain({
      hops: [
        { kind: ExplainHopKind.L7, name: 'CDN; #1 <edge> | 100% *fast*', appendsXff: 1, writesPort: true },
        { kind: ExplainHopKind.L4, name: 'LB\nnext line', proxyProtocol: false, sourcePreservation: SourcePreservation.NEVER },
      ],
      gateway: { name: 'gw', numTrustedProxies: 1, proxyProtocol: false, externalTrafficPolicy: ExternalTrafficPolicy.CLUSTER },
    }),
  },
];

/** The contents of every ```mermaid block. */
function mermaidBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```mermaid\n([\s\S]*?)^```$/gm)].map((match) => match[1]);
}

/**
 * Parses diagrams with Mermaid's own parser (`mermaid.parse`, which needs no browser) and returns
 * one error message per diagram, '' when it parses. Mermaid is ESM-only, so it runs in a child
 * Node process: jest loads modules as CommonJS here.
 */
function mermaidErrors(diagrams: readonly string[]): string[] {
  const script = `
    const { default: mermaid } = await import(process.argv[1]);
    let input = '';
    for await (const chunk of process.stdin) input += chunk;
    const errors = [];
    for (const text of JSON.parse(input)) {
      try { await mermaid.parse(text); errors.push(''); } catch (error) { errors.push(String(error?.message ?? error)); }
    }
    process.stdout.write(JSON.stringify(errors));
  `;
  const entry = pathToFileURL(require.resolve('mermaid')).href;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script, entry], { input: JSON.stringify(diagrams) });
  return JSON.parse(out.toString()) as string[];
}

/** A label in the subset we emit: no raw `;`, `#`, `<`, `>`, `%` or line break, only entity codes. */
const LABEL = String.raw`(?:[^;#<>%\r\n]|#(?:\d+|lt|gt);)+`;
const ID = '[a-z][a-z0-9]*';

/**
 * Checks a diagram against the statement grammar of the Mermaid subset the report emits, and
 * that arrows only join declared participants, in order. Returns the lines that break it.
 */
function structuralErrors(diagram: string): string[] {
  const errors: string[] = [];
  const declared: string[] = [];
  let lastArrowTarget: string | undefined;
  diagram.split('\n').filter((line) => line !== '').forEach((line, i) => {
    if (i === 0) {
      if (line !== 'sequenceDiagram') {
        errors.push(`first line: ${line}`);
      }
      return;
    }
    const participant = new RegExp(`^ {4}participant (${ID}) as ${LABEL}$`).exec(line);
    const arrow = new RegExp(`^ {4}(${ID})->>(${ID}): ${LABEL}$`).exec(line);
    const note = new RegExp(`^ {4}Note over (${ID}): ${LABEL}$`).exec(line);
    if (participant !== null && lastArrowTarget === undefined && !declared.includes(participant[1])) {
      declared.push(participant[1]);
    } else if (arrow !== null && declared.includes(arrow[1]) && declared.includes(arrow[2])
      && declared.indexOf(arrow[2]) === declared.indexOf(arrow[1]) + 1) {
      lastArrowTarget = arrow[2];
    } else if (note === null || note[1] !== lastArrowTarget) {
      errors.push(line);
    }
  });
  return errors;
}

describe('renderSourceIpReport', () => {
  test('matches the snapshot for the seed scenario', () => {
    expect(renderSourceIpReport(seedEntries())).toMatchSnapshot();
  });

  test('renders the same bytes twice', () => {
    const first = renderSourceIpReport([...seedEntries(), ...MIXED]);
    const second = renderSourceIpReport([...seedEntries(), ...MIXED]);
    expect(Buffer.from(first).equals(Buffer.from(second))).toBe(true);
    expect(first.endsWith('\n') && !first.endsWith('\n\n')).toBe(true);
  });

  test('has a section per gateway with the path, findings, both tables and a diagram', () => {
    const report = renderSourceIpReport(seedEntries());
    expect(report).toMatch(/^# Client source IP report\n/);
    expect(report).toContain('## `source-ip/ingress-gateway`');
    expect(report).toContain('**Path:**\nclient `203.0.113.7` → GKE external passthrough NLB');
    expect(report).toContain('**Findings:** none.');
    expect(report).toContain('### Normal request');
    expect(report).toContain('### Request with forged headers');
    expect(report).toContain('**Client address at the gateway:** `remoteIpBlocks` sees it; `ipBlocks` sees it.');
    expect(report).toContain('### Try it');
    expect(report).toContain('curl -s -H \'X-Forwarded-For: 198.51.100.66\' -H \'x-envoy-external-address: 198.51.100.66\' http://$GATEWAY/');
    expect(mermaidBlocks(report)).toHaveLength(1);
  });

  test('never says "no findings" for a path it assumed', () => {
    const assumed = explain({ hops: [], gateway: { numTrustedProxies: 0, proxyProtocol: false }, assumed: true });
    const report = renderSourceIpReport([{ name: 'gw', result: assumed }]);
    expect(report).toContain('**Path** (assumed from the gateway\'s settings; describe the real path to check it):');
    expect(report).toMatch(/\*\*Findings:\*\*\n\n- `edge-not-described`: the settings are unchecked/);
    expect(report).not.toContain('**Findings:** none.');
  });

  test('shows one table per entry point past the first hop that lets a client choose the address', () => {
    // GIVEN Cloudflare in front of an NLB with PROXY protocol that anyone can reach directly
    const result = explain({
      hops: [
        { kind: ExplainHopKind.L7, name: 'Cloudflare', appendsXff: 1 },
        { kind: ExplainHopKind.L4, name: 'NLB', proxyProtocol: true, sourcePreservation: SourcePreservation.NEVER },
      ],
      gateway: { numTrustedProxies: 1, proxyProtocol: true },
    });
    // WHEN
    const report = renderSourceIpReport([{ name: 'edge/gw', result }]);
    // THEN the bypass request has its own section and table, after the forged one
    expect(report).toContain('- `xff-spoofable-by-bypass`: a client that connects to "NLB" directly, skipping "Cloudflare"');
    expect(report).toContain('### Request that connects to NLB directly\n\nThe client skips the hops in front and sends X-Forwarded-For `198.51.100.66` '
      + '(forged; 1 entry needed). The gateway trusts `198.51.100.66`: **the client chooses the address `remoteIpBlocks` sees.**');
    expect(report).toContain('| NLB | `203.0.113.7` | `198.51.100.66` |');
    expect(report.indexOf('### Request with forged headers')).toBeLessThan(report.indexOf('### Request that connects to NLB directly'));
  });

  test('lists findings with their ids and fixes', () => {
    const report = renderSourceIpReport(MIXED);
    expect(report).toContain('- `xff-spoofable`: a client that sends X-Forwarded-For: 198.51.100.66 makes the gateway trust 198.51.100.66');
    expect(report).toContain('**the client chooses the address `remoteIpBlocks` sees.**');
    expect(report).toContain('- `proxy-protocol-mismatch`: the gateway has proxyProtocol set, but "MetalLB" in front of it sends no PROXY header');
    expect(report).toContain('The gateway refuses the connection: the gateway expects a PROXY header and none arrives, so it closes the connection.');
  });

  test('escapes | in tables and Markdown punctuation in names', () => {
    const report = renderSourceIpReport(MIXED);
    expect(report).toContain('## `edge/odd\\|names`');
    expect(report).toContain('| CDN; #1 \\<edge\\> \\| 100% \\*fast\\* | `203.0.113.7` |');
    expect(report).toContain('| LB next line | `192.0.2.1` | `203.0.113.7:51234` |');
    for (const line of report.split('\n').filter((l) => l.startsWith('| '))) {
      // Every table row has exactly the 8 unescaped pipes of 7 columns.
      expect(line.match(/(?<!\\)\|/g)).toHaveLength(8);
    }
  });

  test('replaces the characters Mermaid reserves in labels with entity codes', () => {
    const [, , odd] = mermaidBlocks(renderSourceIpReport(MIXED));
    expect(odd).toContain('    participant hop1 as CDN#59; #35;1 #lt;edge#gt; | 100#37; *fast* (L7)');
    expect(odd).toContain('    participant hop2 as LB next line (L4)');
  });

  test('says so when the app has no ingress gateway', () => {
    expect(renderSourceIpReport([])).toMatch(/\n\nNo ingress gateways found\.\n$/);
  });
});

describe('the Mermaid diagrams', () => {
  const diagrams = mermaidBlocks(renderSourceIpReport([...seedEntries(), ...MIXED]));

  test('follow the statement grammar of the subset the report emits', () => {
    expect(diagrams).toHaveLength(4);
    for (const diagram of diagrams) {
      expect(structuralErrors(diagram)).toEqual([]);
    }
  });

  test('fails the structural check on a raw semicolon, an unknown participant or a stray statement', () => {
    expect(structuralErrors('sequenceDiagram\n    participant a as A\n    participant b as B\n    a->>b: x; y\n')).toEqual(['    a->>b: x; y']);
    expect(structuralErrors('sequenceDiagram\n    participant a as A\n    a->>c: x\n')).toEqual(['    a->>c: x']);
    expect(structuralErrors('sequenceDiagram\n    loop every minute\n')).toEqual(['    loop every minute']);
  });

  // One Mermaid run (a child process: loading Mermaid takes a second) parses the report's diagrams and the broken one.
  const BROKEN = 'sequenceDiagram\n    participant a as A\n    participant b as B\n    a->>b: x; y\n';
  let parsed: string[] | undefined;
  const parseAll = (): string[] => (parsed ??= mermaidErrors([...diagrams, BROKEN]));

  test('parse with Mermaid\'s own parser', () => {
    expect(parseAll().slice(0, diagrams.length)).toEqual(diagrams.map(() => ''));
  }, 60_000);

  test('fails Mermaid\'s parser on a raw semicolon in a label, so the parser check has teeth', () => {
    expect(parseAll()).toHaveLength(diagrams.length + 1);
    expect(parseAll()[diagrams.length]).toMatch(/Parse error/);
  }, 60_000);
});

describe('a path given as data', () => {
  test('renders its described hops without the assumed-path note', () => {
    const described: ExplainPath = {
      hops: [{ kind: ExplainHopKind.L7, name: 'Google Cloud Application LB', appendsXff: 2 }],
      gateway: { numTrustedProxies: 2, proxyProtocol: false },
    };
    const report = renderSourceIpReport([{ name: 'gclb', result: explain(described) }]);
    expect(report).toContain('**Path:**\nclient `203.0.113.7` → Google Cloud Application LB (L7 at `192.0.2.1`, appends 2 XFF entries)');
    expect(report).toContain('| ingress gateway | `192.0.2.1` | `203.0.113.7,192.0.2.1` | *none* | `192.0.2.1` | `203.0.113.7` | `203.0.113.7` |');
  });
});
