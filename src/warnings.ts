import { Construct, IConstruct } from 'constructs';
import { SourceIpValidationError } from './errors';
import { isPlainObject, show } from './private/problems';
import { WARNING_CATALOG } from './warning-catalog';

/** The metadata type under which warnings are recorded on a construct. */
export const WARNING_METADATA_TYPE = 'istio-source-ip:warning';
const ACK_METADATA_TYPE = 'istio-source-ip:acknowledge';
const STRICT_ID = 'istio-source-ip-strict-warnings';

/** One warning, as `Warnings.collect` returns it. */
export interface WarningEntry {
  /** Path of the construct the warning is about, e.g. `seed/ingress-policy`. */
  readonly path: string;
  /** Stable id, e.g. `consistent-hash-on-xff`. Ids never change meaning between releases. */
  readonly id: string;
  /** What is wrong and how to fix it. */
  readonly message: string;
  /**
   * What on the construct the warning is about, when the construct can have several warnings of
   * this id: a block (`remoteIpBlocks 2.2.2.2/24`), a prop, a hop, a rule. An acknowledgement of
   * such a warning names the same subject.
   *
   * @default - the construct as a whole
   */
  readonly subject?: string;
}

/** Options for `Warnings.acknowledge`. */
export interface AcknowledgeOptions {
  /**
   * The subject of the warning acknowledged, exactly as `Warnings.format` prints it after
   * `subject:` (e.g. `remoteIpBlocks 2.2.2.2/24`). Warnings of the same id about other subjects
   * stay visible, so a block added later is not hidden by an acknowledgement made for another.
   *
   * @default - warnings of this id that have no subject (they are about a construct as a whole),
   *   on this construct and every construct below it
   */
  readonly subject?: string;
}

interface Recorded {
  readonly id: string;
  readonly message: string;
  readonly subject?: string;
}

interface Acknowledgement {
  readonly id: string;
  readonly reason: string;
  readonly subject?: string;
  readonly owner: IConstruct;
}

/**
 * Warnings and acknowledgements by construct, so recording is O(1) and collecting is linear in
 * the number of warnings (times the depth of the tree), however many a construct has. The same
 * entries are also written as construct metadata, for tools that read the construct tree.
 */
/**
 * A construct's warnings. Most constructs get one or two, compared one by one; `keys` (id,
 * subject and message joined) is built only once a construct has `KEYED_FROM` of them.
 */
interface RecordedList {
  readonly list: Recorded[];
  keys?: Set<string>;
}

const KEYED_FROM = 8;

const recordedBy = new WeakMap<IConstruct, RecordedList>();

function keyOf(entry: Recorded): string {
  return `${entry.id}\u0000${entry.subject ?? ''}\u0000${entry.message}`;
}

/** Whether the construct has this warning already (same id, subject and message). */
function has(recorded: RecordedList, id: string, message: string, subject: string | undefined): boolean {
  if (recorded.keys === undefined && recorded.list.length >= KEYED_FROM) {
    recorded.keys = new Set(recorded.list.map(keyOf));
  }
  if (recorded.keys !== undefined) {
    return recorded.keys.has(keyOf({ id, message, subject }));
  }
  const list = recorded.list;
  for (let i = 0; i < list.length; i++) {
    if (list[i].id === id && list[i].subject === subject && list[i].message === message) {
      return true;
    }
  }
  return false;
}

/** Records a warning the construct does not have yet. */
function record(recorded: RecordedList, entry: Recorded): void {
  recorded.list.push(entry);
  recorded.keys?.add(keyOf(entry));
}
const acknowledgedBy = new WeakMap<IConstruct, Map<string, Acknowledgement[]>>();

/**
 * The constructs that have warnings, and those that have acknowledgements, per construct tree (by
 * its root, which a construct never changes), in the order they got their first: `collect` reads
 * these instead of walking the whole tree.
 */
const warnedIn = new WeakMap<IConstruct, IConstruct[]>();
const acknowledgingIn = new WeakMap<IConstruct, IConstruct[]>();

function register(lists: WeakMap<IConstruct, IConstruct[]>, construct: IConstruct): void {
  const root = construct.node.root;
  const list = lists.get(root);
  if (list === undefined) {
    lists.set(root, [construct]);
  } else {
    list.push(construct);
  }
}

/** The constructs of `lists` that are `root` or below it, still in the tree (not removed on the way up). */
function atOrBelow(root: IConstruct, lists: WeakMap<IConstruct, IConstruct[]>): IConstruct[] {
  return (lists.get(root.node.root) ?? []).filter((construct) => {
    for (let c = construct; c !== root;) {
      const parent = c.node.scope;
      if (parent === undefined || parent.node.tryFindChild(c.node.id) !== c) {
        return false;
      }
      c = parent;
    }
    return true;
  });
}

/**
 * The library's single warning channel (cdk8s has none).
 *
 * Constructs record warnings with a stable id as construct metadata; `collect` lists them after
 * synth (cross-construct checks run during synth validation), and `print` writes them to stderr.
 * A warning can be acknowledged with a reason, for its construct or a subtree, as aws-cdk's
 * `acknowledgeWarning` does; acknowledgements are checked (a known id, a reason, and at least one
 * warning they cover). `strict` turns every unacknowledged warning into a failed synth, for CI.
 */
export class Warnings {
  /** The warning channel of one construct. */
  public static of(scope: IConstruct): Warnings {
    return new Warnings(requireConstruct('Warnings.of', scope));
  }

  /**
   * Every unacknowledged warning at or below `root`, sorted by path, id, then subject.
   *
   * Call it after `app.synth()` or `Testing.synth(chart)`: checks that span constructs record
   * their warnings during synth validation.
   *
   * @throws SourceIpValidationError when an acknowledgement made at or below `root` covers no warning
   */
  public static collect(root: IConstruct): WarningEntry[] {
    const { entries, unmatched } = scan(requireConstruct('Warnings.collect', root));
    if (unmatched.length > 0) {
      throw new SourceIpValidationError('Warnings', unmatched);
    }
    return entries;
  }

  /** Formats warnings one per line, `[warning] <id> [<path>] (subject: <subject>) <message>`. */
  public static format(entries: readonly WarningEntry[]): string {
    if (!Array.isArray(entries)) {
      throw new SourceIpValidationError('Warnings.format', [`'entries' must be a list of warnings, got ${show(entries)}. Fix: pass Warnings.collect(app)`]);
    }
    return entries.map((w) => {
      if (!isPlainObject(w) || typeof w.id !== 'string' || typeof w.path !== 'string' || typeof w.message !== 'string') {
        throw new SourceIpValidationError('Warnings.format', [`each entry must be a warning { path, id, message }, got ${show(w)}. Fix: pass Warnings.collect(app)`]);
      }
      return `[warning] ${w.id} [${w.path}] ${w.subject === undefined ? '' : `(subject: ${w.subject}) `}${w.message}\n`;
    }).join('');
  }

  /**
   * Writes every warning below `root` to `stream` (stderr by default); returns how many there were.
   *
   * @param stream anything with a `write(text)` method (typed structurally, so the declarations need no `@types/node`)
   * @throws SourceIpValidationError as `collect` does
   */
  public static print(root: IConstruct, stream: { write(text: string): unknown } = process.stderr): number {
    const entries = Warnings.collect(root);
    if (stream === null || typeof stream !== 'object' || typeof (stream as { write?: unknown }).write !== 'function') {
      throw new SourceIpValidationError('Warnings.print', [`'stream' must be a writable stream, got ${show(stream)}. Fix: leave it out for stderr, or pass process.stdout`]);
    }
    stream.write(Warnings.format(entries));
    return entries.length;
  }

  /**
   * Makes the synth of `app` fail on every unacknowledged warning and on every acknowledgement
   * that covers no warning, for CI. Call it after the last chart is added, right before
   * `app.synth()`: the check runs after every other synth-time check.
   *
   * @throws SourceIpValidationError when `app` is not the root of the construct tree
   */
  public static strict(app: IConstruct): void {
    const root = requireConstruct('Warnings.strict', app);
    if (root.node.scope !== undefined) {
      throw new SourceIpValidationError('Warnings.strict', [`'app' must be the root of the construct tree (the App), got ${JSON.stringify(root.node.path)}. `
        + 'Fix: pass the App, e.g. Warnings.strict(app)']);
    }
    if (root.node.tryFindChild(STRICT_ID) === undefined) {
      new StrictCheck(root as Construct);
    }
  }

  private constructor(private readonly scope: IConstruct) {}

  /**
   * Records a warning. The same id, subject and message on the same construct is recorded once,
   * so checks that run at every synth do not repeat themselves.
   *
   * @param subject what on the construct the warning is about, when it can have several of this
   *   id (see `WarningEntry.subject`)
   */
  public add(id: string, message: string, subject?: string): void {
    const idOk = typeof id === 'string' && id.length > 0;
    const messageOk = typeof message === 'string';
    const subjectOk = subject === undefined || (typeof subject === 'string' && subject.length > 0);
    if (!idOk || !messageOk || !subjectOk) {
      throw new SourceIpValidationError('Warnings.add', [
        idOk ? undefined : `'id' must be a warning id, got ${show(id)}. Fix: use an id of WARNING_CATALOG`,
        messageOk ? undefined : `'message' must be a string, got ${show(message)}. Fix: say what is wrong and how to fix it`,
        subjectOk ? undefined : `'subject' must be a non-empty string, got ${show(subject)}. Fix: name the block, prop or hop the warning is about, or leave it out`,
      ].filter((p): p is string => p !== undefined), this.scope.node.path);
    }
    const recorded = recordedBy.get(this.scope);
    if (recorded !== undefined && has(recorded, id, message, subject)) {
      // Checks that run at every synth pass record the same warning again: nothing to do.
      return;
    }
    const entry: Recorded = subject === undefined ? { id, message } : { id, message, subject };
    if (recorded === undefined) {
      recordedBy.set(this.scope, { list: [entry] });
      register(warnedIn, this.scope);
    } else {
      record(recorded, entry);
    }
    this.scope.node.addMetadata(WARNING_METADATA_TYPE, entry);
  }

  /**
   * Acknowledges warning `id`: on this construct and below it for a warning about a construct as
   * a whole, or only the warning about `options.subject`.
   *
   * @param reason why the warning does not apply here; kept in the construct metadata for review
   * @throws SourceIpValidationError for an id not in `WARNING_CATALOG`, an empty reason or a bad subject
   */
  public acknowledge(id: string, reason: string, options: AcknowledgeOptions = {}): void {
    const subject: unknown = isPlainObject(options) ? options.subject : undefined;
    const problems = [
      typeof id === 'string' && Object.prototype.hasOwnProperty.call(WARNING_CATALOG, id) ? undefined
        : `'id' must be a warning id of WARNING_CATALOG, got ${show(id)}. Fix: ${suggestId(id)}`,
      typeof reason === 'string' && reason.trim().length > 0 ? undefined
        : `'reason' must say why the warning does not apply here, got ${show(reason)}. Fix: write the reason, for a reviewer to read`,
      isPlainObject(options) ? undefined : `'options' must be an object, got ${show(options)}. Fix: pass { subject: "..." }, or nothing`,
      subject === undefined || (typeof subject === 'string' && subject.length > 0) ? undefined
        : `'options.subject' must be a non-empty string, got ${show(subject)}. Fix: copy the subject Warnings.print shows, or leave it out`,
    ].filter((p): p is string => p !== undefined);
    if (problems.length > 0) {
      throw new SourceIpValidationError('Warnings.acknowledge', problems, this.scope.node.path);
    }
    let byId = acknowledgedBy.get(this.scope);
    if (byId === undefined) {
      byId = new Map();
      acknowledgedBy.set(this.scope, byId);
      register(acknowledgingIn, this.scope);
    }
    const ack: Acknowledgement = { id, reason, owner: this.scope, ...(typeof subject === 'string' ? { subject } : {}) };
    byId.set(id, [...(byId.get(id) ?? []), ack]);
    this.scope.node.addMetadata(ACK_METADATA_TYPE, ack.subject === undefined ? { id, reason } : { id, reason, subject: ack.subject });
  }
}

/** The synth-time check `Warnings.strict` adds as the App's last child. */
class StrictCheck extends Construct {
  constructor(private readonly root: Construct) {
    super(root, STRICT_ID);
    this.node.addValidation({ validate: () => this.check() });
  }

  private check(): string[] {
    const children = this.root.node.children;
    if (children[children.length - 1] !== this) {
      return [`Warnings.strict(app) was called before ${JSON.stringify(children[children.length - 1].node.path)} was added, so its checks would run `
        + 'after this one. Fix: call Warnings.strict(app) right before app.synth()'];
    }
    const { entries, unmatched } = scan(this.root);
    return [
      ...unmatched,
      ...entries.map((w) => `unacknowledged warning ${w.id} [${w.path}] ${w.subject === undefined ? '' : `(subject: ${w.subject}) `}${w.message}. `
        + `Fix: fix it, or acknowledge it with Warnings.of(construct).acknowledge(${JSON.stringify(w.id)}, reason${w.subject === undefined ? '' : `, { subject: ${JSON.stringify(w.subject)} }`})`),
    ];
  }
}

/** Every unacknowledged warning at or below `root`, and the acknowledgements there that cover none. */
function scan(root: IConstruct): { entries: WarningEntry[]; unmatched: string[] } {
  const entries: WarningEntry[] = [];
  const matched = new Set<Acknowledgement>();
  const subjectsById = new Map<string, Set<string | undefined>>();
  // Most trees have no acknowledgement at all: then every warning is an entry, and nothing is matched.
  const anyAcknowledged = (acknowledgingIn.get(root.node.root)?.length ?? 0) > 0;
  for (const construct of atOrBelow(root, warnedIn)) {
    const recorded = recordedBy.get(construct) as RecordedList;
    if (!anyAcknowledged) {
      const path = construct.node.path;
      for (let i = 0; i < recorded.list.length; i++) {
        entries.push(entryOf(path, recorded.list[i]));
      }
      continue;
    }
    const scopes = construct.node.scopes;
    for (const warning of recorded.list) {
      let subjects = subjectsById.get(warning.id);
      if (subjects === undefined) {
        subjects = new Set();
        subjectsById.set(warning.id, subjects);
      }
      subjects.add(warning.subject);
      let acknowledged = false;
      for (const scope of scopes) {
        for (const ack of acknowledgedBy.get(scope)?.get(warning.id) ?? []) {
          if (ack.subject === warning.subject) {
            matched.add(ack);
            acknowledged = true;
          }
        }
      }
      if (!acknowledged) {
        entries.push(entryOf(construct.node.path, warning));
      }
    }
  }
  const unmatched: string[] = [];
  // By path, as the warnings are (not in the order the acknowledgements were made).
  const acknowledging = atOrBelow(root, acknowledgingIn).sort((a, b) => compare(a.node.path, b.node.path));
  for (const construct of acknowledging) {
    for (const list of acknowledgedBy.get(construct)?.values() ?? []) {
      for (const ack of list) {
        if (!matched.has(ack)) {
          unmatched.push(unmatchedMessage(ack, subjectsById.get(ack.id)));
        }
      }
    }
  }
  entries.sort((a, b) => compare(a.path, b.path) || compare(a.id, b.id) || compare(a.subject ?? '', b.subject ?? ''));
  return { entries, unmatched };
}

/** The entry `collect` returns for a recorded warning (keys in the order `{ path, ...warning }` gives). */
function entryOf(path: string, warning: Recorded): WarningEntry {
  return warning.subject === undefined ? { path, id: warning.id, message: warning.message } : { path, id: warning.id, message: warning.message, subject: warning.subject };
}

function unmatchedMessage(ack: Acknowledgement, subjects: Set<string | undefined> | undefined): string {
  const what = `the acknowledgement of ${ack.id}${ack.subject === undefined ? '' : ` (subject: ${ack.subject})`} on ${JSON.stringify(ack.owner.node.path)}`;
  const named = [...(subjects ?? [])].filter((s): s is string => s !== undefined).sort();
  const hint = ack.subject === undefined && named.length > 0
    ? `warnings of this id name a subject; acknowledge one with { subject: ${named.slice(0, 3).map((s) => JSON.stringify(s)).join(' } or { subject: ')} }`
    : 'remove it (the warning it was made for is gone), or move it to the construct the warning is on, or a parent';
  return `${what} covers no warning (acknowledgements are checked so they cannot hide a different warning later). Fix: ${hint}`;
}

function suggestId(id: unknown): string {
  const ids = Object.keys(WARNING_CATALOG);
  const text = typeof id === 'string' ? id : '';
  const near = ids.find((known) => known.startsWith(text.slice(0, Math.max(4, Math.floor(text.length / 2)))) && text.length > 0);
  return near === undefined ? `use one of the ids Warnings.print shows (WARNING_CATALOG lists all ${ids.length})` : `did you mean ${JSON.stringify(near)}?`;
}

function requireConstruct(subject: string, value: unknown): IConstruct {
  if (value === null || typeof value !== 'object' || !((value as Partial<IConstruct>).node instanceof Object)
    || typeof (value as IConstruct).node.findAll !== 'function') {
    throw new SourceIpValidationError(subject, [`'scope' must be a construct (an App, a Chart or a construct in one), got ${show(value)}. Fix: pass the app or the construct`]);
  }
  return value as IConstruct;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
