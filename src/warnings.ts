import { IConstruct } from 'constructs';

/** The metadata type under which warnings are recorded on a construct. */
export const WARNING_METADATA_TYPE = 'istio-source-ip:warning';
const ACK_METADATA_TYPE = 'istio-source-ip:acknowledge';

/** One warning, as `Warnings.collect` returns it. */
export interface WarningEntry {
  /** Path of the construct the warning is about, e.g. `seed/ingress-policy`. */
  readonly path: string;
  /** Stable id, e.g. `consistent-hash-on-xff`. Ids never change meaning between releases. */
  readonly id: string;
  /** What is wrong and how to fix it. */
  readonly message: string;
}

interface WarningData {
  readonly id: string;
  readonly message: string;
}

/**
 * The library's single warning channel (cdk8s has none).
 *
 * Constructs record warnings with a stable id as construct metadata; `collect` lists them after
 * synth (cross-construct checks run during synth validation), and `print` writes them to stderr.
 * A warning can be acknowledged for a subtree with a reason, as aws-cdk's `acknowledgeWarning` does.
 */
export class Warnings {
  /** The warning channel of one construct. */
  public static of(scope: IConstruct): Warnings {
    return new Warnings(scope);
  }

  /**
   * Every unacknowledged warning at or below `root`, sorted by path then id.
   *
   * Call it after `app.synth()` or `Testing.synth(chart)`: checks that span constructs record
   * their warnings during synth validation.
   */
  public static collect(root: IConstruct): WarningEntry[] {
    const entries: WarningEntry[] = [];
    for (const construct of root.node.findAll()) {
      for (const entry of construct.node.metadata) {
        if (entry.type !== WARNING_METADATA_TYPE) {
          continue;
        }
        const data = entry.data as WarningData;
        if (!isAcknowledged(construct, data.id)) {
          entries.push({ path: construct.node.path, id: data.id, message: data.message });
        }
      }
    }
    return entries.sort((a, b) => (a.path === b.path ? compare(a.id, b.id) : compare(a.path, b.path)));
  }

  /** Formats warnings one per line, `[warning] <id> [<path>] <message>`. */
  public static format(entries: readonly WarningEntry[]): string {
    return entries.map((w) => `[warning] ${w.id} [${w.path}] ${w.message}\n`).join('');
  }

  /** Writes every warning below `root` to stderr; returns how many there were. */
  public static print(root: IConstruct, stream: NodeJS.WritableStream = process.stderr): number {
    const entries = Warnings.collect(root);
    stream.write(Warnings.format(entries));
    return entries.length;
  }

  private constructor(private readonly scope: IConstruct) {}

  /**
   * Records a warning. The same id and message on the same construct is recorded once, so checks
   * that run at every synth do not repeat themselves.
   */
  public add(id: string, message: string): void {
    const exists = this.scope.node.metadata.some((entry) => entry.type === WARNING_METADATA_TYPE
      && (entry.data as WarningData).id === id && (entry.data as WarningData).message === message);
    if (!exists) {
      this.scope.node.addMetadata(WARNING_METADATA_TYPE, { id, message } satisfies WarningData);
    }
  }

  /**
   * Silences warning `id` on this construct and everything below it.
   *
   * @param reason why the warning does not apply here; kept in the construct metadata for review
   */
  public acknowledge(id: string, reason: string): void {
    this.scope.node.addMetadata(ACK_METADATA_TYPE, { id, reason });
  }
}

function isAcknowledged(construct: IConstruct, id: string): boolean {
  return construct.node.scopes.some((scope) => scope.node.metadata.some((entry) => entry.type === ACK_METADATA_TYPE
    && (entry.data as { id: string }).id === id));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
