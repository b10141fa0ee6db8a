import { ApiObject, ApiObjectProps, Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
// Types only: the generated module is never loaded at run time (see bench/README.md).
import type {
  AuthorizationPolicySpec, AuthorizationPolicySpecAction, AuthorizationPolicySpecRules,
} from '../imports/security.istio.io';
import { explainDescribedEdge } from './analysis/assumed-path';
import { ExplainLayerRole } from './analysis/explain';
import { ExternalTrafficPolicy } from './gateway-service';
import { IIngressGateway, PolicyTargetRef } from './gateway/gateway';
import { hostBitsMessage, IpBlock } from './ip-block';
import {
  CoverageBound, externalBlocksOf, externalBlocksWarning, ipv4MappedWarnings, matchesEveryoneWarning, RuleIpFields, whyRuleNeverMatches,
} from './policy/rule-coverage';
import { trustedAddressProblem } from './policy/trusted-address';
import { minimalCidrCover } from './private/cidr-set';
import type { IpPrefix } from './private/ip';
import { nameAtResourceChild } from './private/object-name';
import {
  clientSideApplyBytes, GuardOptions, guardObjectSizes, kib, maxBytesProblem, maxObjectBytesAt, sizeLimitAdvice,
} from './private/object-size';
import { podTemplateOf } from './private/pod-template';
import { BLOCK_FIELDS, BlockField, entriesBytes, ruleBytes, splitRule, WrittenRule } from './private/policy-split';
import {
  failIfAny, firstHole, generatedNameProblem, isPlainObject, labelMapProblems, mustBe, oneOf, Problem, requireObject, resourceName, show,
} from './private/problems';
import { checkedScope } from './private/scope';
import { Warnings } from './warnings';

/** What an `IpAccessPolicy` does with matching requests. */
export enum IpAccessAction {
  /** Allow matching requests; once a workload has an ALLOW policy, everything else is denied. */
  ALLOW = 'ALLOW',
  /** Deny matching requests, whatever ALLOW policies say. */
  DENY = 'DENY',
}

/** Options for `PolicyTarget.labels`. */
export interface LabelTargetOptions {
  /**
   * Namespace of the selected pods; the policy goes there.
   *
   * @default - the policy's chart namespace
   */
  readonly namespace?: string;

  /**
   * Whether the selected pods are an ingress gateway (`use_remote_address: true`, where
   * `remoteIpBlocks` sees the trusted client address).
   *
   * @default false
   */
  readonly isGateway?: boolean;
}

/**
 * The pods an `IpAccessPolicy` applies to: a gateway, a workload, or explicit labels.
 *
 * Rendered as AuthorizationPolicy `selector.matchLabels`, or, for a Kubernetes Gateway API
 * gateway, as `targetRefs` to its `Gateway` (a selector there is what istioctl analyze IST0166 flags).
 */
export class PolicyTarget {
  /** The pods of an ingress gateway. */
  public static gateway(gateway: IIngressGateway): PolicyTarget {
    failIfAny('PolicyTarget.gateway', [gateway !== null && typeof gateway === 'object' && gateway.selectorLabels !== undefined && gateway.node !== undefined ? undefined
      : mustBe('gateway', 'an IngressGateway (or another IIngressGateway)', gateway, 'pass the gateway construct')]);
    return new PolicyTarget({ ...gateway.selectorLabels }, gateway.namespace, gateway, false, gateway.node.path, false,
      gateway.policyTargetRef === undefined ? undefined : [{ ...gateway.policyTargetRef }]);
  }

  /** The pods of a cdk8s-plus workload (cdk8s-plus-27 to 33, recognized by shape) or of a raw `Kube*` workload object. */
  public static workload(workload: IConstruct): PolicyTarget {
    const template = podTemplateOf(workload, 'PolicyTarget.workload');
    return new PolicyTarget(template.selectorLabels(), template.namespace, undefined,
      template.label('istio.io/dataplane-mode') === 'ambient', workload.node.path);
  }

  /** Pods with these labels. */
  public static labels(matchLabels: Readonly<Record<string, string>>, options: LabelTargetOptions = {}): PolicyTarget {
    requireObject('PolicyTarget.labels', 'matchLabels', matchLabels, 'pass the pod labels, e.g. { app: "echo" }');
    requireObject('PolicyTarget.labels', 'options', options, 'pass { namespace: "apps" }, or nothing');
    failIfAny('PolicyTarget.labels', [
      resourceName('options.namespace', options.namespace, 'namespace'),
      options.isGateway === undefined || typeof options.isGateway === 'boolean' ? undefined
        : mustBe('options.isGateway', 'true or false', options.isGateway, 'pass a boolean'),
    ]);
    return new PolicyTarget({ ...matchLabels }, options.namespace, undefined, false, undefined, options.isGateway ?? false);
  }

  private constructor(
    /** Labels that select the pods. */
    public readonly selectorLabels: Readonly<Record<string, string>>,
    /** Namespace of the pods, when known. */
    public readonly namespace: string | undefined,
    /** The gateway, when the target is one built with this library. */
    public readonly gateway: IIngressGateway | undefined,
    /** Whether the pods run in ambient mode (no sidecar). */
    public readonly isAmbient: boolean,
    /** Construct path of the target, for messages. */
    public readonly description: string | undefined,
    private readonly labelledGateway = false,
    /** The objects the policy attaches to instead of selecting pods (a Gateway API gateway's `Gateway`). */
    public readonly targetRefs?: readonly PolicyTargetRef[],
  ) {}

  /** Whether the pods are an ingress gateway. */
  public get isGateway(): boolean {
    return this.gateway !== undefined || this.labelledGateway;
  }
}

/** One rule: the request must match every field given (fields are ANDed). */
export interface IpRuleOptions {
  /**
   * Match when the TCP peer address (Envoy `direct_remote_ip`) is in one of these blocks.
   *
   * This is the address on the packet: the client only when nothing in front rewrites it
   * (an L4 load balancer with `externalTrafficPolicy: Local`).
   *
   * @default - not matched on
   */
  readonly ipBlocks?: readonly IpBlock[];

  /**
   * Match when the trusted client address (Envoy `remote_ip`: from `X-Forwarded-For` with
   * `numTrustedProxies`, or from PROXY protocol) is in one of these blocks.
   *
   * Only an ingress gateway derives this from the edge; on a sidecar it is the rightmost
   * `X-Forwarded-For` entry, usually the gateway's peer, not the client.
   *
   * @default - not matched on
   */
  readonly remoteIpBlocks?: readonly IpBlock[];

  /**
   * Match when the TCP peer address is in none of these blocks.
   *
   * @default - not matched on
   */
  readonly notIpBlocks?: readonly IpBlock[];

  /**
   * Match when the trusted client address is in none of these blocks.
   *
   * @default - not matched on
   */
  readonly notRemoteIpBlocks?: readonly IpBlock[];

  /**
   * Match when the client's address is in one of these blocks, in whichever field sees the client
   * at the target gateway (`ipBlocks` or `remoteIpBlocks`), as its `edge` description decides.
   * Only for a gateway built with an `edge`.
   *
   * @default - not matched on
   */
  readonly clientIpBlocks?: readonly IpBlock[];

  /**
   * Match when the client's address is in none of these blocks (`notIpBlocks` or
   * `notRemoteIpBlocks`, as the gateway's `edge` decides). Only for a gateway built with an `edge`.
   *
   * @default - not matched on
   */
  readonly notClientIpBlocks?: readonly IpBlock[];
}

/** Props shared by every kind of `IpAccessPolicy`. */
export interface IpAccessPolicyBaseProps {
  /** The pods the policy applies to. */
  readonly target: PolicyTarget;

  /**
   * `metadata.name` of the AuthorizationPolicy.
   *
   * @default - generated from the construct path
   */
  readonly name?: string;

  /**
   * Namespace of the AuthorizationPolicy. A selector only matches pods in the policy's own
   * namespace (or everywhere, from Istio's root namespace).
   *
   * @default - the target's namespace, else the chart's
   */
  readonly namespace?: string;
}

/** Props of an `IpAccessPolicy` that matches on IP blocks. */
export interface IpAccessPolicyProps extends IpAccessPolicyBaseProps, IpRuleOptions {
  /** ALLOW or DENY the matching requests. */
  readonly action: IpAccessAction;

  /**
   * Whether each list of blocks (per field, per rule) is written as the fewest CIDRs that cover
   * exactly the same addresses.
   *
   * Ranges inside another range are dropped, and overlapping or adjacent ranges are merged
   * (`10.0.0.0/24` + `10.0.1.0/24` → `10.0.0.0/23`); IPv4 and IPv6 stay apart, and IPv4-mapped IPv6
   * (`::ffff:10.0.0.0/120`) is IPv6, as Envoy matches it. The list is then sorted, IPv4 first, by
   * address. The same requests match, and Envoy, which tests every entry of `ipBlocks` and
   * `remoteIpBlocks` on each request, tests fewer. A range listed twice is refused either way.
   * `false` writes each list as given (canonical text, same order). Applies to `addRule` too.
   *
   * @default true
   */
  readonly reduceIpBlocks?: boolean;

  /**
   * The most bytes one AuthorizationPolicy object may take as client-side `kubectl apply` stores it
   * (the object as JSON in its `kubectl.kubernetes.io/last-applied-configuration` annotation, plus
   * its other annotations; Kubernetes allows 256 KiB of annotations per object).
   *
   * Rules that do not fit are written to more AuthorizationPolicy objects with the same action and
   * selector, which together match the same requests (construct ids `Part2`, `Part3`, ..., names
   * `<name>-part-2`, ... when `name` is given); an `ipBlocks` or `remoteIpBlocks` list is cut into
   * several rules if need be. A `notIpBlocks`/`notRemoteIpBlocks` list is never cut (each piece
   * would match more than the whole list), so a rule whose not-lists alone are too big is refused.
   * Raise it, up to 1048576 (1 MiB, under etcd's 1.5 MiB request limit), only when you apply with
   * `kubectl apply --server-side`.
   *
   * @default - the `istio-source-ip:max-object-bytes` context value, else 204800 (200 KiB)
   */
  readonly maxObjectBytes?: number;
}

/** How many blocks an `IpAccessPolicy` was given, and how many it writes. */
export interface IpBlockCounts {
  /** Entries given, over every field of every rule (`clientIpBlocks` counted where they resolve). */
  readonly given: number;
  /**
   * Entries written to the manifests, over every rule of every AuthorizationPolicy object (a
   * rule cut into pieces repeats its other fields, not-lists included, in every piece).
   */
  readonly written: number;
  /** AuthorizationPolicy objects written: more than 1 when the rules did not fit in one. */
  readonly objects: number;
}

type PolicyMode = 'rules' | 'allow-nothing' | 'allow-all' | 'deny-all';

const CLIENT_FIELDS = ['clientIpBlocks', 'notClientIpBlocks'] as const;
const INPUT_FIELDS = [...BLOCK_FIELDS, ...CLIENT_FIELDS] as const;
/** A rule with `clientIpBlocks` resolved: the four wire fields, as blocks. */
type ResolvedRule = Partial<Record<BlockField, readonly IpBlock[]>>;

const API_VERSION = 'security.istio.io/v1';
const KIND = 'AuthorizationPolicy';

/** Istio's CRD allows at most 512 rules per AuthorizationPolicy (`rules` maxItems). */
const MAX_RULES = 512;

/** How every policy registers its objects for the size check (one shared object). */
const SIZE_GUARD: GuardOptions = {
  prop: 'maxObjectBytes',
  // The policy is its first object; the parts split off are its children.
  ownBytes: (object: ApiObject) => policyOf(object)._ownBytes(object),
};

/** The policy an object of it belongs to: the policy is its first object; the parts split off are its children. */
function policyOf(object: ApiObject): IpAccessPolicy {
  return (object instanceof IpAccessPolicy ? object : object.node.scope) as IpAccessPolicy;
}

/** `{"selector":{"matchLabels":` and `}}` around the labels' JSON. */
const SELECTOR_FRAME_BYTES = JSON.stringify({ selector: { matchLabels: {} } }).length - 2;

/** Host-bit warnings written in full per field and rule; the rest are counted in one more. */
const HOST_BIT_WARNINGS = 10;

/** A rule as checked and prepared: what is written, what was given, and its problems. */
interface PreparedRule {
  readonly written: WrittenRule;
  /** The rule with `clientIpBlocks` resolved, as given (before any reduction), for the coverage checks. */
  readonly resolved: ResolvedRule;
  readonly given: number;
  readonly problems: Problem[];
}

/**
 * One AuthorizationPolicy object of the policy and the rules it holds. It is the object's `spec`
 * until synth, where cdk8s resolves it as an implicit token (an object with a `resolve()` method:
 * `ImplicitTokenResolver`, which every App has), so no `Lazy` or closure is kept per object.
 */
class Part {
  /** The policy, set when it is constructed (the first part is made before it, for its props). */
  public policy!: IpAccessPolicy;
  /** The rules in this object (a new array on the first, so small policies hold exact-size arrays). */
  public rules: WrittenRule[] = NO_RULES;
  /** Bytes the rules add: each rule's JSON plus the commas between them. */
  public rulesBytes = 0;
  /** The object, set right after it is created with this part as its spec producer. */
  public object!: ApiObject;

  constructor(private readonly index: number) {}

  public resolve(): AuthorizationPolicySpec {
    return this.policy._renderObject(this.index);
  }

  public add(rule: WrittenRule, bytes: number): void {
    this.rulesBytes += bytes + (this.rules.length === 0 ? 0 : 1);
    if (this.rules.length === 0) {
      this.rules = [rule];
    } else {
      this.rules.push(rule);
    }
  }
}

const NO_RULES: WrittenRule[] = [];
const NO_PARTS: Part[] = [];

/** The policies of each chart, for its one synth-time check (see `checkAtSynth`). */
const POLICIES_OF = new WeakMap<Chart, IpAccessPolicy[]>();

/**
 * Registers the synth-time check of `policy`. One validation per chart runs the checks of all its
 * policies, in the order they were created: they only add warnings to their own policy, so where
 * they run changes nothing, and a policy costs no validation, closure or array of its own. (Not
 * made in the constructor: a closure made there would keep its scope, the props, alive.)
 */
function checkAtSynth(policy: IpAccessPolicy): void {
  const chart = Chart.of(policy);
  const policies = POLICIES_OF.get(chart);
  if (policies !== undefined) {
    policies.push(policy);
    return;
  }
  const list = [policy];
  POLICIES_OF.set(chart, list);
  chart.node.addValidation({
    validate: () => {
      list.forEach((p) => p._checkClientAddressView());
      return [];
    },
  });
}

/** The first object's part, made by `firstObjectProps` for the props passed to ApiObject, taken right after. */
let pendingPart: Part | undefined;

/**
 * What `ApiObject` needs before the policy exists: kind, name, namespace and the first object's
 * spec. Props are checked after, in the constructor; nothing here throws on bad props.
 */
function firstObjectProps(scope: Construct, id: string, props: IpAccessPolicyProps): ApiObjectProps {
  const given: Partial<IpAccessPolicyProps> = isPlainObject(props) ? props : {};
  const name = typeof given.name === 'string' ? given.name : undefined;
  const namespace = typeof given.namespace === 'string' ? given.namespace
    : given.target instanceof PolicyTarget ? given.target.namespace : undefined;
  const part = new Part(0);
  pendingPart = part;
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: { name: name ?? nameAtResourceChild(scope, id, API_VERSION, KIND), namespace },
    spec: part,
  };
}

/** No texts: shared by every policy with none, never written to. */
const NO_TEXTS: string[] = [];

/**
 * An Istio AuthorizationPolicy (`security.istio.io/v1`) that allows or denies by client address.
 *
 * Fails closed and says so: an ALLOW or DENY policy needs at least one block (an ALLOW policy
 * without rules would deny everything, and a DENY policy without rules is rejected by Istio); the
 * catch-all forms are only written when asked for by name: `allowNothing`, `allowAll`, `denyAll`.
 *
 * Warnings: `remote-ip-blocks-on-sidecar`, `remote-ip-blocks-on-ambient`,
 * `remote-ip-blocks-without-trusted-hop`, `remote-ip-blocks-spoofable`, `remote-ip-blocks-see-proxy`,
 * `ip-blocks-after-snat`, `ip-blocks-see-proxy`, `policy-namespace-differs-from-target`,
 * `ip-block-host-bits` (see `WARNING_CATALOG`).
 *
 * The policy is its (first) AuthorizationPolicy object, an `ApiObject`; rules too big for one
 * object go into more objects, its children `Part2`, `Part3`, ... (see `resources`).
 *
 * @see https://istio.io/latest/docs/reference/config/security/authorization-policy/
 * @see https://istio.io/latest/docs/tasks/security/authorization/authz-ingress/
 */
export class IpAccessPolicy extends ApiObject {
  // Set only while a named factory runs its constructor, so `new` cannot ask for a catch-all.
  private static pendingMode: PolicyMode | undefined;

  /**
   * An ALLOW policy with no rules: nothing is allowed unless another ALLOW policy matches.
   * DENY policies still apply.
   */
  public static allowNothing(scope: Construct, id: string, props: IpAccessPolicyBaseProps): IpAccessPolicy {
    return IpAccessPolicy.withMode(scope, id, props, IpAccessAction.ALLOW, 'allow-nothing');
  }

  /** An ALLOW policy with one empty rule (`rules: [{}]`): every request is allowed. */
  public static allowAll(scope: Construct, id: string, props: IpAccessPolicyBaseProps): IpAccessPolicy {
    return IpAccessPolicy.withMode(scope, id, props, IpAccessAction.ALLOW, 'allow-all');
  }

  /** A DENY policy with one empty rule (`rules: [{}]`): every request is denied, whatever ALLOW policies say. */
  public static denyAll(scope: Construct, id: string, props: IpAccessPolicyBaseProps): IpAccessPolicy {
    return IpAccessPolicy.withMode(scope, id, props, IpAccessAction.DENY, 'deny-all');
  }

  /**
   * Whether `instance` is an `IpAccessPolicy` (by its prototype chain). `ApiObject` answers
   * `instanceof` for every ApiObject, and subclasses inherit that; this answers for policies only.
   */
  public static override [Symbol.hasInstance](instance: unknown): instance is IpAccessPolicy {
    return Function.prototype[Symbol.hasInstance].call(this, instance);
  }

  private static withMode(scope: Construct, id: string, props: IpAccessPolicyBaseProps, action: IpAccessAction,
    mode: PolicyMode): IpAccessPolicy {
    IpAccessPolicy.pendingMode = mode;
    try {
      return new IpAccessPolicy(scope, id, { ...props, action });
    } finally {
      IpAccessPolicy.pendingMode = undefined;
    }
  }

  /** ALLOW or DENY. */
  public readonly action: IpAccessAction;

  /** The pods the policy applies to. */
  public readonly target: PolicyTarget;

  /** The namespace the policy is written to, when known. */
  public readonly namespace?: string;

  private readonly mode: PolicyMode;
  /** `name` as given, for the names of the objects split off. */
  private readonly givenName?: string;
  private readonly reduce: boolean;
  private readonly maxBytes: number;
  private parts: Part[] = NO_PARTS;
  /** Rules added so far (constructor and `addRule`), for the prop names in messages. */
  private ruleCount = 0;
  /** `ruleCount` when `_checkClientAddressView` last ran for a target without a gateway (-1: never). */
  private checkedRules = -1;
  private given = 0;
  /**
   * What the synth-time check needs from the rules as given, instead of the rules: the blocks
   * outside internal space (not for a gateway).
   */
  private externalBlocks: string[] = NO_TEXTS;

  constructor(scope: Construct, id: string, props: IpAccessPolicyProps) {
    super(checkedScope('IpAccessPolicy', scope, id), id, firstObjectProps(scope, id, props));
    const first = pendingPart as Part;
    pendingPart = undefined;
    this.mode = IpAccessPolicy.pendingMode ?? 'rules';
    IpAccessPolicy.pendingMode = undefined;
    try {
      requireObject('IpAccessPolicy', 'props', props, 'pass { target, action, ... }', this);
      const hasBlocks = setsAnyField(props);
      const target = props.target instanceof PolicyTarget ? props.target : undefined;
      this.reduce = props.reduceIpBlocks ?? true;
      const prepared = this.mode === 'rules' ? prepareRule(props, '', target, props.action, this.reduce) : undefined;
      failIfAny('IpAccessPolicy', [
        target !== undefined ? undefined
          : mustBe('target', 'a PolicyTarget', props.target, 'pass PolicyTarget.gateway(gw), PolicyTarget.workload(deployment) or PolicyTarget.labels({...})'),
        props.action === undefined ? mustBe('action', 'set', undefined, 'pass action: IpAccessAction.ALLOW or DENY')
          : oneOf('action', props.action, IpAccessAction, 'use IpAccessAction.ALLOW or DENY'),
        resourceName('name', props.name, 'name'),
        resourceName('namespace', props.namespace, 'namespace'),
        props.reduceIpBlocks === undefined || typeof props.reduceIpBlocks === 'boolean' ? undefined
          : mustBe('reduceIpBlocks', 'true or false', props.reduceIpBlocks, 'leave it unset to write the fewest CIDRs, or set false to write the lists as given'),
        props.maxObjectBytes === undefined || maxBytesProblem(props.maxObjectBytes) === undefined ? undefined
          : mustBe('maxObjectBytes', maxBytesProblem(props.maxObjectBytes) ?? '', props.maxObjectBytes,
            'leave it unset for 200 KiB (what client-side kubectl apply can store), or raise it only if you apply with kubectl apply --server-side'),
        // concat, not spreads: it runs for every policy, most of the time before the code is optimized.
      ].concat(
        target !== undefined ? targetProblems(target) : NO_PROBLEMS,
        props.target instanceof PolicyTarget && props.target.targetRefs !== undefined && props.namespace !== undefined && props.namespace !== props.target.namespace
          ? mustBe('namespace', `the target's namespace ${props.target.namespace} (targetRefs never cross namespaces, not even from the root namespace)`,
            props.namespace, 'leave namespace unset')
          : undefined,
        this.mode === 'rules' ? ruleProblems(props, '', target) : NO_PROBLEMS,
        prepared?.problems ?? NO_PROBLEMS,
        this.mode === 'rules' && !hasBlocks ? noBlocksProblem(props.action) : undefined,
      ), this);

      this.action = props.action;
      this.target = props.target;
      this.namespace = props.namespace ?? props.target.namespace;
      this.givenName = props.name;
      this.maxBytes = maxObjectBytesAt(this, props.maxObjectBytes);
      first.policy = this;
      first.object = this;
      this.parts = [first];
      // Before any rule is placed: the parts split off are named after this object.
      failIfAny('IpAccessPolicy', [generatedNameProblem(props.name, this.name)], this);
      if (prepared !== undefined) {
        this.place(prepared, 'IpAccessPolicy', '');
        this.warnRule(props, prepared, '');
      }
      guardObjectSizes(this, props.maxObjectBytes === undefined ? SIZE_GUARD : { ...SIZE_GUARD, maxBytes: props.maxObjectBytes });
      checkAtSynth(this);
    } catch (error) {
      // A constructor that throws leaves nothing behind: an object in the tree would be synthesized.
      scope.node.tryRemoveChild(this.node.id);
      throw error;
    }
  }

  /** The first object: this policy. Kept for code written when it was a child with id `Resource`. */
  public get resource(): ApiObject {
    return this;
  }


  /** Every AuthorizationPolicy object of this policy: `resource`, then any parts split off. */
  public get resources(): readonly ApiObject[] {
    return this.parts.map((part) => part.object);
  }

  /** How many blocks were given and written, and over how many objects. */
  public get ipBlockCounts(): IpBlockCounts {
    let written = 0;
    for (const rule of this.writtenRules()) {
      for (const field of BLOCK_FIELDS) {
        written += rule[field]?.length ?? 0;
      }
    }
    return { given: this.given, written, objects: this.parts.length };
  }

  /**
   * Adds a rule; a request matches the policy when it matches any rule.
   *
   * @throws SourceIpValidationError on a catch-all policy, or for a rule without blocks
   */
  public addRule(rule: IpRuleOptions): this {
    requireObject('IpAccessPolicy.addRule', 'rule', rule, 'pass { ipBlocks, remoteIpBlocks, ... }', this);
    const prefix = `rules[${this.ruleCount}].`;
    const prepared = this.mode === 'rules' ? prepareRule(rule, prefix, this.target, this.action, this.reduce) : undefined;
    failIfAny('IpAccessPolicy.addRule', [
      this.mode === 'rules' ? undefined
        : `'addRule' cannot add to a ${this.mode} policy: its single empty rule already matches every request (or, for allowNothing, none). Fix: create a new IpAccessPolicy with blocks`,
      ...ruleProblems(rule, prefix, this.target),
      ...(prepared?.problems ?? []),
      setsAnyField(rule) ? undefined : noBlocksProblem(this.action),
    ], this);
    if (prepared !== undefined) {
      this.place(prepared, 'IpAccessPolicy.addRule', prefix);
      this.warnRule(rule, prepared, prefix);
    }
    return this;
  }

  /**
   * The spec of the first AuthorizationPolicy object.
   *
   * @internal
   */
  public _render(): AuthorizationPolicySpec {
    return this._renderObject(0);
  }

  /**
   * The spec of the policy's object number `index` (0 is `resource`).
   *
   * @internal
   */
  public _renderObject(index: number): AuthorizationPolicySpec {
    return this.renderPart(this.parts[index]);
  }

  /**
   * Bytes the policy itself writes into one of its objects (rules, selector, names), for the
   * synth-time size check; unknown objects count as infinitely big, so they are measured.
   *
   * @internal
   */
  public _ownBytes(object: ApiObject): number {
    const part = object === this ? this.parts[0] : this.parts.find((p) => p.object === object);
    if (part === undefined) {
      return Infinity;
    }
    // The frame is small and fixed: apiVersion, kind, the field names, the action.
    return part.rulesBytes + this.attachmentBytes() + object.name.length + (object.metadata.namespace?.length ?? 0) + 300;
  }

  /** `JSON.stringify(this.attachment()).length`, without copying the labels for it. */
  private attachmentBytes(): number {
    return this.target.targetRefs === undefined ? SELECTOR_FRAME_BYTES + JSON.stringify(this.target.selectorLabels).length
      : JSON.stringify(this.attachment()).length;
  }

  /** `selector` (pods by labels) or, for a Gateway API gateway, `targetRefs`. */
  private attachment(): Pick<AuthorizationPolicySpec, 'selector' | 'targetRefs'> {
    return this.target.targetRefs === undefined ? { selector: { matchLabels: { ...this.target.selectorLabels } } }
      : { targetRefs: this.target.targetRefs.map((ref) => ({ ...ref })) };
  }

  private renderPart(part: Part): AuthorizationPolicySpec {
    return {
      action: (this.action === IpAccessAction.ALLOW ? 'ALLOW' : 'DENY') as AuthorizationPolicySpecAction,
      ...this.attachment(),
      rules: this.renderRules(part),
    };
  }

  /** Creates one more AuthorizationPolicy object, a child of the policy; its spec renders the rules it will hold. */
  private addPart(id: string, name: string | undefined): void {
    const part = new Part(this.parts.length);
    part.policy = this;
    part.object = new ApiObject(this, id, {
      apiVersion: API_VERSION,
      kind: KIND,
      // Never `name: undefined`: ApiObject spreads metadata over the name it generates.
      metadata: name === undefined ? { namespace: this.namespace } : { name, namespace: this.namespace },
      spec: part,
    });
    this.parts.push(part);
  }

  /**
   * The object's size with no rules, from its metadata now and the selector, without rendering
   * it (only needed near the limit; synth measures the whole object again).
   */
  private emptyBytes(part: Part): number {
    const object = part.object;
    return clientSideApplyBytes({
      apiVersion: object.apiVersion,
      kind: object.kind,
      metadata: object.metadata.toJson(),
      spec: { action: this.action, ...this.attachment(), rules: [] },
    });
  }

  /**
   * Stores a rule and spreads it over the policy's objects: into the last one while it fits (in
   * bytes and in Istio's 512 rules), else into a new one; a rule too big for any object is cut
   * (union lists only). Deterministic: the same calls give the same objects and names.
   */
  private place(prepared: PreparedRule, subject: string, prefix: string): void {
    const rule = prepared.written;
    const last = this.parts[this.parts.length - 1];
    const bytes = ruleBytes(rule);
    if (last.rules.length < MAX_RULES && last.rulesBytes + bytes + 1 <= this.maxBytes / 2) {
      // Far from the limit (the usual case): no need to measure the rest of the object now; the
      // synth-time check measures all of it.
      last.add(rule, bytes);
      this.ruleCount++;
      this.given += prepared.given;
      return;
    }
    // A new object's name is at most 16 characters longer than the first one's.
    const emptyNew = this.emptyBytes(this.parts[0]) + 16;
    const split = splitRule(rule, this.maxBytes - emptyNew);
    if (!split.ok) {
      failIfAny(subject, [tooBigProblem(prefix, rule, split.smallest, this.maxBytes - emptyNew, this.maxBytes)], this);
      return;
    }
    // Plan first, so nothing changes when a name would be too long.
    const plan: WrittenRule[][] = [[]];
    let count = last.rules.length;
    let used = this.emptyBytes(last) + last.rulesBytes;
    for (const piece of split.rules) {
      const cost = ruleBytes(piece) + (count === 0 ? 0 : 1);
      if (count >= MAX_RULES || used + cost > this.maxBytes) {
        plan.push([]);
        count = 0;
        used = emptyNew;
      }
      plan[plan.length - 1].push(piece);
      count++;
      used += ruleBytes(piece) + (count === 1 ? 0 : 1);
    }
    const highest = this.parts.length + plan.length - 1;
    if (this.givenName !== undefined && `${this.givenName}-part-${highest}`.length > 253) {
      failIfAny(subject, [mustBe('name', `at most ${253 - `-part-${highest}`.length} characters when the rules are spread over ${highest} objects `
        + `(the other objects are named "<name>-part-2" and so on, and Kubernetes names are at most 253 characters)`, this.givenName, 'shorten the name')], this);
    }
    plan.forEach((pieces, i) => {
      if (i > 0) {
        const n = this.parts.length + 1;
        this.addPart(`Part${n}`, this.givenName === undefined ? undefined : `${this.givenName}-part-${n}`);
      }
      const part = this.parts[this.parts.length - 1];
      for (const piece of pieces) {
        part.add(piece, ruleBytes(piece));
      }
    });
    this.ruleCount++;
    this.given += prepared.given;
  }

  /** Every rule as written, over every object (a rule cut into pieces counts as its pieces). */
  private writtenRules(): WrittenRule[] {
    return this.parts.length === 1 ? this.parts[0].rules : this.parts.flatMap((part) => part.rules);
  }

  /**
   * Keeps what the synth-time coverage checks need from the rule as given, and warns about host bits (naming
   * each block's field as typed; many are counted, not listed) and IPv4-mapped blocks.
   */
  private warnRule(rule: IpRuleOptions, prepared: PreparedRule, prefix: string): void {
    const warnings = Warnings.of(this);
    for (let f = 0; f < INPUT_FIELDS.length; f++) {
      const field = INPUT_FIELDS[f];
      const blocks = rule[field];
      if (blocks === undefined) {
        continue;
      }
      let withHostBits = 0;
      for (let i = 0; i < blocks.length; i++) {
        const block = blocks[i];
        if (!block.hostBitsCleared) {
          continue;
        }
        if (++withHostBits <= HOST_BIT_WARNINGS) {
          warnings.add('ip-block-host-bits', hostBitsMessage(field, block), `${prefix}${field} ${block.input}`);
        }
      }
      if (withHostBits > HOST_BIT_WARNINGS) {
        warnings.add('ip-block-host-bits', `${prefix}${field} has ${withHostBits - HOST_BIT_WARNINGS} more entries with host bits set, each written as its `
          + 'whole range (as Envoy matches it). Fix: clear the host bits in the list, or write single addresses without a prefix length', `${prefix}${field}`);
      }
    }
    const given = cidrsOf(prepared.resolved);
    const mapped = ipv4MappedWarnings(given, prefix);
    for (let i = 0; i < mapped.length; i++) {
      warnings.add(mapped[i].id, mapped[i].message, mapped[i].subject);
    }
    const external = this.target.isGateway ? NO_TEXTS : externalBlocksOf(given);
    if (external.length > 0) {
      // Its own list once a rule has some: an exact-size copy first (a list grown by push keeps
      // spare slots), then appended to, not copied on every rule.
      if (this.externalBlocks === NO_TEXTS) {
        this.externalBlocks = external.slice();
      } else {
        for (let i = 0; i < external.length; i++) {
          this.externalBlocks.push(external[i]);
        }
      }
    }
  }

  private renderRules(part: Part): AuthorizationPolicySpecRules[] | undefined {
    switch (this.mode) {
      case 'allow-nothing':
        return undefined;
      case 'allow-all':
      case 'deny-all':
        return [{}];
      default:
        return part.rules.map(renderRule);
    }
  }

  /**
   * Cross-construct checks at synth: does the field used see the client here? Warnings only.
   *
   * @internal
   */
  public _checkClientAddressView(): void {
    // Without a gateway, what this reads is the policy's own (its rules, target and namespace,
    // which change only by addRule), so a check already made for these rules finds the same
    // warnings again (cdk8s validates twice per synth). A gateway is read again every time: an
    // IIngressGateway may be any object.
    if (this.target.gateway === undefined) {
      if (this.checkedRules === this.ruleCount) {
        return;
      }
      this.checkedRules = this.ruleCount;
    }
    const warnings = Warnings.of(this);
    const rules = this.writtenRules();
    let usesRemote = false;
    let usesDirect = false;
    for (let r = 0; r < rules.length; r++) {
      const rule = rules[r];
      usesRemote ||= (rule.remoteIpBlocks?.length ?? 0) > 0 || (rule.notRemoteIpBlocks?.length ?? 0) > 0;
      usesDirect ||= (rule.ipBlocks?.length ?? 0) > 0 || (rule.notIpBlocks?.length ?? 0) > 0;
    }
    const target = this.target.description ?? JSON.stringify(this.target.selectorLabels);

    if (usesRemote && this.target.isAmbient) {
      warnings.add('remote-ip-blocks-on-ambient', `remoteIpBlocks on ${target}, an ambient workload: ztunnel cannot enforce it, so an ALLOW rule never matches `
        + 'and a DENY rule is enforced without it (both stricter than written). Fix: enforce it on the ingress gateway or a waypoint');
    } else if (usesRemote && !this.target.isGateway) {
      warnings.add('remote-ip-blocks-on-sidecar', `remoteIpBlocks on ${target}, which is not an ingress gateway: its sidecar trusts the rightmost `
        + 'X-Forwarded-For entry (usually the address the gateway saw, not the client). Fix: target the ingress gateway with PolicyTarget.gateway(...)');
    }
    // The sizes of the written blocks bound what they can cover (they match exactly the addresses
    // the given ones do): a cheap filter, counted here rather than kept per policy.
    const bound = new CoverageBound();
    if (this.mode === 'rules') {
      for (let r = 0; r < rules.length; r++) {
        bound.add(rules[r]);
      }
    }
    // The written rules match exactly the addresses the given ones do (minimal covers, cut lists).
    const everyone = this.mode === 'rules' && (bound.mayCover(4) || bound.mayCover(6)) ? matchesEveryoneWarning(this.action, rules) : undefined;
    if (everyone !== undefined) {
      warnings.add(everyone.id, everyone.message, everyone.subject);
    }
    const external = this.target.isGateway ? undefined : externalBlocksWarning(target, this.externalBlocks);
    if (external !== undefined) {
      warnings.add(external.id, external.message, external.subject);
    }
    const gateway = this.target.gateway;
    const described = gateway === undefined ? undefined : explainDescribedEdge(gateway);
    // The same check as every other feature keyed on the trusted address (policy/trusted-address.ts).
    const trusted = usesRemote && gateway !== undefined ? trustedAddressProblem(gateway) : undefined;
    if (trusted?.kind === 'spoofable') {
      warnings.add('remote-ip-blocks-spoofable', `remoteIpBlocks on ${target}: with the described edge (${trusted.edge}), a client can choose the `
        + `address the gateway trusts with a forged X-Forwarded-For${trusted.bypass ? ' by connecting past the first hop' : ''}, so the policy can be bypassed. `
        + `Fix: ${trusted.fix}`);
    } else if (trusted?.kind === 'sees-proxy') {
      warnings.add('remote-ip-blocks-see-proxy', `remoteIpBlocks on ${target}: with the described edge (${trusted.edge}), the gateway trusts `
        + `${trusted.trusted}, not the client, so the policy matches a proxy's address. Fix: ${trusted.fix}`);
    }
    if (usesDirect && described !== undefined && !described.ipBlocksSeesClient) {
      // With a described edge, the simulator knows what the TCP peer is.
      const peer = described.normal.layers.find((l) => l.role === ExplainLayerRole.GATEWAY)?.ipBlocks;
      warnings.add('ip-blocks-see-proxy', `ipBlocks on ${target}: with the described edge (${gateway?.edge}), the gateway's TCP peer is ${peer ?? 'not the client'}, `
        + `not the client. Fix: use clientIpBlocks (or remoteIpBlocks)${gateway?.clientIpField === 'ipBlocks' ? ', after fixing the path so a header or PROXY protocol carries the client' : ''}`);
    }
    if (gateway !== undefined) {
      const topology = gateway.topology;
      if (usesRemote && topology.numTrustedProxies === 0 && !topology.proxyProtocol) {
        warnings.add('remote-ip-blocks-without-trusted-hop', `remoteIpBlocks on ${target}, which trusts no proxy (numTrustedProxies 0) and has no PROXY protocol: `
          + 'remote.ip is just the TCP peer, the same address ipBlocks sees. Fix: set numTrustedProxies to the number of HTTP proxies in front, '
          + 'turn on proxyProtocol if the load balancer sends it, or use ipBlocks with externalTrafficPolicy Local');
      }
      // Without a described edge, reason from the gateway's settings alone.
      if (usesDirect && described === undefined && gateway.externalTrafficPolicy === ExternalTrafficPolicy.CLUSTER) {
        warnings.add('ip-blocks-after-snat', `ipBlocks on ${target}, whose Service has externalTrafficPolicy Cluster: nodes replace the client address `
          + '(SNAT), so the TCP peer is a node. Fix: set externalTrafficPolicy Local, or match remoteIpBlocks behind a proxy');
      }
      if (usesDirect && described === undefined && (topology.proxyProtocol || topology.numTrustedProxies > 0)) {
        warnings.add('ip-blocks-see-proxy', `ipBlocks on ${target}, which sits behind ${topology.proxyProtocol ? 'a PROXY-protocol load balancer' : `${topology.numTrustedProxies} trusted ${topology.numTrustedProxies === 1 ? 'proxy' : 'proxies'}`}: `
          + 'the TCP peer is that proxy, not the client. Fix: use remoteIpBlocks');
      }
    }
    const targetNamespace = this.target.namespace;
    if (this.namespace !== undefined && targetNamespace !== undefined && this.namespace !== targetNamespace) {
      warnings.add('policy-namespace-differs-from-target', `the policy is in namespace ${this.namespace} but its target runs in ${targetNamespace}: `
        + 'a selector only matches pods in the policy\'s namespace, unless that is Istio\'s root namespace. Fix: leave namespace unset');
    }
  }
}

/**
 * The rule with `clientIpBlocks`/`notClientIpBlocks` placed in the field that sees the client at
 * the target gateway. The user asked for "the client" by name, so this is not a silent swap.
 */
function resolveRule(rule: IpRuleOptions, target: PolicyTarget): ResolvedRule {
  const remote = target.gateway?.clientIpField === 'remoteIpBlocks';
  // The caller's lists are read right away and never kept (the written rule holds new lists of
  // texts), so they are not copied; non-lists are reported by ruleProblems and skipped here.
  const client = listOrUndefined(rule.clientIpBlocks);
  const notClient = listOrUndefined(rule.notClientIpBlocks);
  return {
    ipBlocks: joined(listOrUndefined(rule.ipBlocks), remote ? undefined : client),
    remoteIpBlocks: joined(listOrUndefined(rule.remoteIpBlocks), remote ? client : undefined),
    notIpBlocks: joined(listOrUndefined(rule.notIpBlocks), remote ? undefined : notClient),
    notRemoteIpBlocks: joined(listOrUndefined(rule.notRemoteIpBlocks), remote ? notClient : undefined),
  };
}

function listOrUndefined(blocks: readonly IpBlock[] | undefined): readonly IpBlock[] | undefined {
  return Array.isArray(blocks) ? blocks : undefined;
}

/** `first` then `more` (either may be missing): one of them when the other is, else a new list. */
function joined(first: readonly IpBlock[] | undefined, more: readonly IpBlock[] | undefined): readonly IpBlock[] | undefined {
  return more === undefined ? first : first === undefined ? more : [...first, ...more];
}

/** Whether the rule sets any of its block fields (to anything: wrong values are reported by ruleProblems). */
function setsAnyField(rule: IpRuleOptions): boolean {
  for (let f = 0; f < INPUT_FIELDS.length; f++) {
    if (rule[INPUT_FIELDS[f]] !== undefined) {
      return true;
    }
  }
  return false;
}

/** Whether every field the rule sets is a list of `IpBlock`s without holes. */
function fieldsAreBlockLists(rule: IpRuleOptions): boolean {
  for (let f = 0; f < INPUT_FIELDS.length; f++) {
    const blocks: unknown = rule[INPUT_FIELDS[f]];
    if (blocks !== undefined && !(Array.isArray(blocks) && firstHole(blocks) === undefined && onlyBlocks(blocks) === blocks)) {
      return false;
    }
  }
  return true;
}

/** The list itself when every entry is an `IpBlock` (the usual case), else a new list of those that are. */
function onlyBlocks(list: readonly unknown[]): readonly IpBlock[] {
  for (let i = 0; i < list.length; i++) {
    if (!(list[i] instanceof IpBlock)) {
      return list.filter((block): block is IpBlock => block instanceof IpBlock);
    }
  }
  return list as readonly IpBlock[];
}

function noBlocksProblem(action: IpAccessAction): string {
  return action === IpAccessAction.DENY
    ? 'a DENY policy needs at least one of ipBlocks, remoteIpBlocks, notIpBlocks, notRemoteIpBlocks (Istio rejects DENY without rules), got none. '
      + 'Fix: list the blocks to deny, or use IpAccessPolicy.denyAll(...) to deny everything'
    : 'an ALLOW policy needs at least one of ipBlocks, remoteIpBlocks, notIpBlocks, notRemoteIpBlocks, got none: without rules it would allow nothing. '
      + 'Fix: list the blocks to allow, or use IpAccessPolicy.allowNothing(...) / allowAll(...) to say so by name';
}

function ruleProblems(rule: IpRuleOptions, prefix: string, target: PolicyTarget | undefined): Problem[] {
  const problems: Problem[] = [];
  for (let f = 0; f < CLIENT_FIELDS.length; f++) {
    const field = CLIENT_FIELDS[f];
    if (rule[field] !== undefined && target?.gateway?.edge === undefined) {
      problems.push(mustBe(`${prefix}${field}`, 'used only on a gateway built with an edge (EdgeChain), which decides whether ipBlocks or remoteIpBlocks sees the client',
        Array.isArray(rule[field]) ? (rule[field] ?? []).map(String) : rule[field], `describe the gateway's edge with IngressGateway { edge: EdgeChain.of(...) }, or name the field: ${field === 'clientIpBlocks' ? 'ipBlocks or remoteIpBlocks' : 'notIpBlocks or notRemoteIpBlocks'}`));
    }
  }
  for (let f = 0; f < INPUT_FIELDS.length; f++) {
    const field = INPUT_FIELDS[f];
    const blocks = rule[field];
    if (blocks === undefined) {
      continue;
    }
    if (!Array.isArray(blocks)) {
      problems.push(mustBe(`${prefix}${field}`, 'a list of IpBlock', blocks, `write ${field}: IpBlock.ofAll([...])`));
      continue;
    }
    if (blocks.length === 0) {
      problems.push(mustBe(`${prefix}${field}`, 'a non-empty list (an empty list matches nothing and is dropped)', blocks,
        `remove ${field}, or list at least one block`));
    }
    const hole = firstHole(blocks);
    if (hole !== undefined) {
      problems.push(`'${prefix}${field}' must be a list without holes, got a sparse list (index ${hole} is empty). Fix: write every entry, or remove the extra comma`);
      continue;
    }
    for (let i = 0; i < blocks.length; i++) {
      const block: unknown = blocks[i];
      if (!(block instanceof IpBlock)) {
        problems.push(mustBe(`${prefix}${field}[${i}]`, 'an IpBlock', block, `write IpBlock.of(${show(typeof block === 'string' ? block : '203.0.113.0/24')})`));
      }
    }
  }
  return problems;
}

/** Ranges listed twice that are named one by one; the rest are counted in one more problem. */
const REPEATS_LISTED = 5;

/**
 * The rule as written: `clientIpBlocks` resolved, each wire list reduced to its minimal cover (or
 * kept as given), every range listed twice as a problem (after `clientIpBlocks` joined the
 * field it resolves to), and a rule that can never match as a problem. Entries that are not `IpBlock`s are left out: `ruleProblems` reports them.
 */
function prepareRule(rule: IpRuleOptions, prefix: string, target: PolicyTarget | undefined, action: IpAccessAction, reduce: boolean): PreparedRule {
  const resolved: ResolvedRule = target === undefined ? {} : resolveRule(rule, target);
  const written: Partial<Record<BlockField, readonly string[]>> = {};
  const problems: Problem[] = [];
  let given = 0;
  for (let f = 0; f < BLOCK_FIELDS.length; f++) {
    const field = BLOCK_FIELDS[f];
    const list = resolved[field];
    const blocks = list === undefined ? NO_BLOCKS : onlyBlocks(list);
    if (blocks.length === 0) {
      continue;
    }
    given += blocks.length;
    let repeats: number[];
    if (reduce) {
      const prefixes: IpPrefix[] = [];
      const texts: string[] = [];
      for (let i = 0; i < blocks.length; i++) {
        prefixes.push(blocks[i]._prefix);
        texts.push(blocks[i].toString());
      }
      const cover = minimalCidrCover(prefixes, texts);
      written[field] = cover.cidrs;
      repeats = cover.duplicates;
    } else {
      const texts = blocks.map(String);
      const seen = new Set<string>();
      repeats = [];
      texts.forEach((text, i) => {
        if (seen.has(text)) {
          repeats.push(i);
        }
        seen.add(text);
      });
      written[field] = texts;
    }
    for (let r = 0; r < Math.min(repeats.length, REPEATS_LISTED); r++) {
      const block = blocks[repeats[r]];
      problems.push(mustBe(`${prefix}${field}`, 'a list of distinct ranges', block.input, `remove the second ${block}: it is listed twice`));
    }
    if (repeats.length > REPEATS_LISTED) {
      problems.push(`'${prefix}${field}' lists ${repeats.length - REPEATS_LISTED} more ranges a second time (or more), e.g. ${JSON.stringify(blocks[repeats[REPEATS_LISTED]].input)}. `
        + 'Fix: remove the repeated entries (for example, put the texts in a Set before IpBlock.ofAll)');
    }
  }
  // A rule whose own fields leave no address never matches: certainly not what was meant.
  const never = target !== undefined && fieldsAreBlockLists(rule) ? whyRuleNeverMatches(cidrsOf(resolved)) : undefined;
  if (never !== undefined) {
    problems.push(`'${prefix === '' ? 'rules[0]' : prefix.slice(0, -1)}' can never match: ${never}, so this ${action} rule ${action === IpAccessAction.ALLOW ? 'allows' : 'denies'} nothing. `
      + 'Fix: remove the ranges that cancel each other, or the rule');
  }
  return { written, resolved, given, problems };
}

const NO_BLOCKS: readonly IpBlock[] = [];
const NO_PROBLEMS: readonly Problem[] = [];

/** Why a rule cannot be written within the size limit even after cutting its union lists. */
function tooBigProblem(prefix: string, rule: WrittenRule, smallest: number, room: number, maxBytes: number): string {
  const notLists = (['notIpBlocks', 'notRemoteIpBlocks'] as const).filter((field) => rule[field] !== undefined);
  const why = notLists.length === 0 ? `the rule${prefix === '' ? '' : ` ${prefix.slice(0, -1)}`}`
    : `${notLists.map((field) => `'${prefix}${field}' has ${rule[field]?.length} entries (${kib(entriesBytes(rule[field] ?? []))})`).join(' and ')} `
      + 'and cannot be cut (a list that means "none of these" would match more requests spread over several rules or policies), so the rule';
  return `${why} needs ${kib(smallest)} even with ipBlocks and remoteIpBlocks cut as far as they go, more than the ${kib(room)} of rules `
    + `an AuthorizationPolicy has room for: ${sizeLimitAdvice(maxBytes, 'maxObjectBytes')}`;
}

/** The fields of a rule that hold at least one block, in wire order. */
function nonEmptyFields<T>(rule: Partial<Record<BlockField, readonly T[]>>): Record<string, readonly T[]> {
  const out: Record<string, readonly T[]> = {};
  for (let f = 0; f < BLOCK_FIELDS.length; f++) {
    const field = BLOCK_FIELDS[f];
    const blocks = rule[field];
    if (blocks !== undefined && blocks.length > 0) {
      out[field] = blocks;
    }
  }
  return out;
}

/**
 * The non-empty IP fields of a resolved rule, for the coverage analysis: the blocks themselves,
 * already parsed (it reads their prefixes, and their canonical texts for messages).
 */
function cidrsOf(rule: ResolvedRule): RuleIpFields {
  return nonEmptyFields(rule);
}

/** One written rule as the spec holds it. */
function renderRule(rule: WrittenRule): AuthorizationPolicySpecRules {
  return { from: [{ source: nonEmptyFields(rule) }] };
}

function targetProblems(target: PolicyTarget): Problem[] {
  // A new list of its own, appended to.
  const problems: Problem[] = labelMapProblems('target labels', target.selectorLabels);
  if (Object.keys(target.selectorLabels).length === 0) {
    problems.push(mustBe('target labels', 'at least one label (an empty selector would apply the policy to every workload in the namespace)',
      target.selectorLabels, 'give the target pods a label and select on it'));
  }
  return problems;
}
