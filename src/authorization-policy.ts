import { ApiObject, Lazy } from 'cdk8s';
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
import { externalOnlyBlocksWarning, ipv4MappedWarnings, matchesEveryoneWarning, RuleIpFields, whyRuleNeverMatches } from './policy/rule-coverage';
import { trustedAddressProblem } from './policy/trusted-address';
import { podTemplateOf } from './private/pod-template';
import { failIfAny, firstHole, generatedNameProblem, labelMapProblems, mustBe, oneOf, Problem, requireObject, resourceName, show } from './private/problems';
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
}

type PolicyMode = 'rules' | 'allow-nothing' | 'allow-all' | 'deny-all';

const BLOCK_FIELDS = ['ipBlocks', 'remoteIpBlocks', 'notIpBlocks', 'notRemoteIpBlocks'] as const;
const CLIENT_FIELDS = ['clientIpBlocks', 'notClientIpBlocks'] as const;
const INPUT_FIELDS = [...BLOCK_FIELDS, ...CLIENT_FIELDS] as const;
type BlockField = (typeof BLOCK_FIELDS)[number];
/** A rule as written to the manifest: the four wire fields only. */
type ResolvedRule = Partial<Record<BlockField, readonly IpBlock[]>>;

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
 * @see https://istio.io/latest/docs/reference/config/security/authorization-policy/
 * @see https://istio.io/latest/docs/tasks/security/authorization/authz-ingress/
 */
export class IpAccessPolicy extends Construct {
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

  /** The AuthorizationPolicy object (construct id `Resource`). */
  public readonly resource: ApiObject;

  private readonly mode: PolicyMode;
  private readonly rules: ResolvedRule[] = [];

  constructor(scope: Construct, id: string, props: IpAccessPolicyProps) {
    super(checkedScope('IpAccessPolicy', scope, id), id);
    this.mode = IpAccessPolicy.pendingMode ?? 'rules';
    IpAccessPolicy.pendingMode = undefined;
    requireObject('IpAccessPolicy', 'props', props, 'pass { target, action, ... }', this);
    const hasBlocks = INPUT_FIELDS.some((field) => props[field] !== undefined);
    failIfAny('IpAccessPolicy', [
      props.target instanceof PolicyTarget ? undefined
        : mustBe('target', 'a PolicyTarget', props.target, 'pass PolicyTarget.gateway(gw), PolicyTarget.workload(deployment) or PolicyTarget.labels({...})'),
      props.action === undefined ? mustBe('action', 'set', undefined, 'pass action: IpAccessAction.ALLOW or DENY')
        : oneOf('action', props.action, IpAccessAction, 'use IpAccessAction.ALLOW or DENY'),
      resourceName('name', props.name, 'name'),
      resourceName('namespace', props.namespace, 'namespace'),
      ...(props.target instanceof PolicyTarget ? targetProblems(props.target) : []),
      props.target instanceof PolicyTarget && props.target.targetRefs !== undefined && props.namespace !== undefined && props.namespace !== props.target.namespace
        ? mustBe('namespace', `the target's namespace ${props.target.namespace} (targetRefs never cross namespaces, not even from the root namespace)`,
          props.namespace, 'leave namespace unset')
        : undefined,
      ...(this.mode === 'rules' ? ruleProblems(props, '', props.target, props.action) : []),
      this.mode === 'rules' && !hasBlocks ? noBlocksProblem(props.action) : undefined,
    ], this);

    this.action = props.action;
    this.target = props.target;
    this.namespace = props.namespace ?? props.target.namespace;
    if (this.mode === 'rules') {
      this.addResolved(props);
    }

    this.resource = new ApiObject(this, 'Resource', {
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      // Never `name: undefined`: ApiObject spreads metadata over the name it generates.
      metadata: props.name === undefined ? { namespace: this.namespace } : { name: props.name, namespace: this.namespace },
      spec: Lazy.any({ produce: () => this._render() }),
    });
    failIfAny('IpAccessPolicy', [generatedNameProblem(props.name, this.resource.name)], this);
    this.node.addValidation({ validate: () => this.checkClientAddressView() });
  }

  /**
   * Adds a rule; a request matches the policy when it matches any rule.
   *
   * @throws SourceIpValidationError on a catch-all policy, or for a rule without blocks
   */
  public addRule(rule: IpRuleOptions): this {
    requireObject('IpAccessPolicy.addRule', 'rule', rule, 'pass { ipBlocks, remoteIpBlocks, ... }', this);
    failIfAny('IpAccessPolicy.addRule', [
      this.mode === 'rules' ? undefined
        : `'addRule' cannot add to a ${this.mode} policy: its single empty rule already matches every request (or, for allowNothing, none). Fix: create a new IpAccessPolicy with blocks`,
      ...ruleProblems(rule, `rules[${this.rules.length}].`, this.target, this.action),
      INPUT_FIELDS.some((field) => rule[field] !== undefined) ? undefined : noBlocksProblem(this.action),
    ], this);
    this.addResolved(rule);
    return this;
  }

  /**
   * The AuthorizationPolicy spec.
   *
   * @internal
   */
  public _render(): AuthorizationPolicySpec {
    return {
      action: (this.action === IpAccessAction.ALLOW ? 'ALLOW' : 'DENY') as AuthorizationPolicySpecAction,
      ...(this.target.targetRefs === undefined ? { selector: { matchLabels: { ...this.target.selectorLabels } } }
        : { targetRefs: this.target.targetRefs.map((ref) => ({ ...ref })) }),
      rules: this.renderRules(),
    };
  }

  /** Stores a checked rule, and warns about host bits naming each block's field as typed. */
  private addResolved(rule: IpRuleOptions): void {
    const prefix = this.rules.length === 0 ? '' : `rules[${this.rules.length}].`;
    for (const field of INPUT_FIELDS) {
      for (const block of rule[field] ?? []) {
        if (block.hostBitsCleared) {
          Warnings.of(this).add('ip-block-host-bits', hostBitsMessage(field, block), `${prefix}${field} ${block.input}`);
        }
      }
    }
    const resolved = resolveRule(rule, this.target);
    for (const warning of ipv4MappedWarnings(cidrsOf(resolved), prefix)) {
      Warnings.of(this).add(warning.id, warning.message, warning.subject);
    }
    this.rules.push(resolved);
  }

  private renderRules(): AuthorizationPolicySpecRules[] | undefined {
    switch (this.mode) {
      case 'allow-nothing':
        return undefined;
      case 'allow-all':
      case 'deny-all':
        return [{}];
      default:
        return this.rules.map((rule) => {
          const source: Record<string, string[]> = {};
          for (const field of BLOCK_FIELDS) {
            const blocks = rule[field];
            if (blocks !== undefined && blocks.length > 0) {
              source[field] = blocks.map((block) => block.toString());
            }
          }
          return { from: [{ source }] };
        });
    }
  }

  /** Cross-construct checks: does the field used see the client here? Warnings only. */
  private checkClientAddressView(): string[] {
    const warnings = Warnings.of(this);
    const uses = (fields: readonly BlockField[]) => this.rules.some((rule) => fields.some((f) => (rule[f]?.length ?? 0) > 0));
    const usesRemote = uses(['remoteIpBlocks', 'notRemoteIpBlocks']);
    const usesDirect = uses(['ipBlocks', 'notIpBlocks']);
    const target = this.target.description ?? JSON.stringify(this.target.selectorLabels);

    if (usesRemote && this.target.isAmbient) {
      warnings.add('remote-ip-blocks-on-ambient', `remoteIpBlocks on ${target}, an ambient workload: ztunnel cannot enforce it, so an ALLOW rule never matches `
        + 'and a DENY rule is enforced without it (both stricter than written). Fix: enforce it on the ingress gateway or a waypoint');
    } else if (usesRemote && !this.target.isGateway) {
      warnings.add('remote-ip-blocks-on-sidecar', `remoteIpBlocks on ${target}, which is not an ingress gateway: its sidecar trusts the rightmost `
        + 'X-Forwarded-For entry (usually the address the gateway saw, not the client). Fix: target the ingress gateway with PolicyTarget.gateway(...)');
    }
    const rules = this.mode === 'rules' ? this.rules.map(cidrsOf) : [];
    for (const warning of [
      this.mode === 'rules' ? matchesEveryoneWarning(this.action, rules) : undefined,
      this.target.isGateway ? undefined : externalOnlyBlocksWarning(target, rules),
    ]) {
      if (warning !== undefined) {
        warnings.add(warning.id, warning.message, warning.subject);
      }
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
    return [];
  }
}

/**
 * The rule with `clientIpBlocks`/`notClientIpBlocks` placed in the field that sees the client at
 * the target gateway. The user asked for "the client" by name, so this is not a silent swap.
 */
function resolveRule(rule: IpRuleOptions, target: PolicyTarget): ResolvedRule {
  const remote = target.gateway?.clientIpField === 'remoteIpBlocks';
  // Copies, so later changes to the caller's arrays do not reach the manifest; non-lists are
  // reported by ruleProblems and skipped here.
  const copy = (blocks: readonly IpBlock[] | undefined) => (Array.isArray(blocks) ? [...blocks] : undefined);
  const out: Record<BlockField, IpBlock[] | undefined> = {
    ipBlocks: copy(rule.ipBlocks),
    remoteIpBlocks: copy(rule.remoteIpBlocks),
    notIpBlocks: copy(rule.notIpBlocks),
    notRemoteIpBlocks: copy(rule.notRemoteIpBlocks),
  };
  const add = (field: BlockField, blocks: readonly IpBlock[] | undefined) => {
    if (Array.isArray(blocks)) {
      out[field] = [...(out[field] ?? []), ...blocks];
    }
  };
  add(remote ? 'remoteIpBlocks' : 'ipBlocks', rule.clientIpBlocks);
  add(remote ? 'notRemoteIpBlocks' : 'notIpBlocks', rule.notClientIpBlocks);
  return out;
}

function noBlocksProblem(action: IpAccessAction): string {
  return action === IpAccessAction.DENY
    ? 'a DENY policy needs at least one of ipBlocks, remoteIpBlocks, notIpBlocks, notRemoteIpBlocks (Istio rejects DENY without rules), got none. '
      + 'Fix: list the blocks to deny, or use IpAccessPolicy.denyAll(...) to deny everything'
    : 'an ALLOW policy needs at least one of ipBlocks, remoteIpBlocks, notIpBlocks, notRemoteIpBlocks, got none: without rules it would allow nothing. '
      + 'Fix: list the blocks to allow, or use IpAccessPolicy.allowNothing(...) / allowAll(...) to say so by name';
}

function ruleProblems(rule: IpRuleOptions, prefix: string, target: PolicyTarget | undefined, action: IpAccessAction): Problem[] {
  const problems: Problem[] = [];
  for (const field of CLIENT_FIELDS) {
    if (rule[field] !== undefined && target?.gateway?.edge === undefined) {
      problems.push(mustBe(`${prefix}${field}`, 'used only on a gateway built with an edge (EdgeChain), which decides whether ipBlocks or remoteIpBlocks sees the client',
        Array.isArray(rule[field]) ? (rule[field] ?? []).map(String) : rule[field], `describe the gateway's edge with IngressGateway { edge: EdgeChain.of(...) }, or name the field: ${field === 'clientIpBlocks' ? 'ipBlocks or remoteIpBlocks' : 'notIpBlocks or notRemoteIpBlocks'}`));
    }
  }
  const resolved = target === undefined ? {} : resolveRule(rule, target);
  for (const field of INPUT_FIELDS) {
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
    blocks.forEach((block, i) => {
      if (!(block instanceof IpBlock)) {
        problems.push(mustBe(`${prefix}${field}[${i}]`, 'an IpBlock', block, `write IpBlock.of(${show(typeof block === 'string' ? block : '203.0.113.0/24')})`));
      }
    });
  }
  // Duplicates, after clientIpBlocks joined the field it resolves to.
  for (const field of BLOCK_FIELDS) {
    const seen = new Set<string>();
    for (const block of (resolved as ResolvedRule)[field] ?? []) {
      if (block instanceof IpBlock) {
        if (seen.has(block.toString())) {
          problems.push(mustBe(`${prefix}${field}`, 'a list of distinct ranges', block.input, `remove the second ${block}: it is listed twice`));
        }
        seen.add(block.toString());
      }
    }
  }
  // A rule whose own fields leave no address never matches: certainly not what was meant.
  const valid = INPUT_FIELDS.every((field) => rule[field] === undefined
    || (Array.isArray(rule[field]) && firstHole(rule[field] ?? []) === undefined && (rule[field] ?? []).every((b) => b instanceof IpBlock)));
  const never = valid && target !== undefined ? whyRuleNeverMatches(cidrsOf(resolved as ResolvedRule)) : undefined;
  if (never !== undefined) {
    problems.push(`'${prefix === '' ? 'rules[0]' : prefix.slice(0, -1)}' can never match: ${never}, so this ${action} rule ${action === IpAccessAction.ALLOW ? 'allows' : 'denies'} nothing. `
      + 'Fix: remove the ranges that cancel each other, or the rule');
  }
  return problems;
}

/** The IP fields of a resolved rule as canonical CIDR texts, for the coverage analysis. */
function cidrsOf(rule: ResolvedRule): RuleIpFields {
  const out: Record<string, string[]> = {};
  for (const field of BLOCK_FIELDS) {
    const blocks = rule[field];
    if (blocks !== undefined && blocks.length > 0) {
      out[field] = blocks.map(String);
    }
  }
  return out;
}

function targetProblems(target: PolicyTarget): Problem[] {
  const problems: Problem[] = [...labelMapProblems('target labels', target.selectorLabels)];
  if (Object.keys(target.selectorLabels).length === 0) {
    problems.push(mustBe('target labels', 'at least one label (an empty selector would apply the policy to every workload in the namespace)',
      target.selectorLabels, 'give the target pods a label and select on it'));
  }
  return problems;
}
