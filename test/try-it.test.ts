import {
  explain, ExplainHopKind, ExternalTrafficPolicy, InterceptionMode, renderTryIt, SourcePreservation, tryItSteps,
} from '../src';

describe('tryItSteps', () => {
  test('a spoofable path tells the user to expect the forged address', () => {
    // GIVEN one HTTP proxy in front, but a gateway that trusts two
    const result = explain({ hops: [{ kind: ExplainHopKind.L7, name: 'ALB', appendsXff: 1 }], gateway: { numTrustedProxies: 2, proxyProtocol: false } });
    // WHEN
    const [normal, forged] = tryItSteps(result);
    // THEN a normal request trusts the ALB (too few entries to skip 2), and the forged one trusts the forged address
    expect(normal.expect).toEqual(['client_address=127.0.0.6', 'x-forwarded-for=<your address>, <ALB address>', 'x-envoy-external-address=<ALB address>']);
    expect(forged.command).toBe("curl -s -H 'X-Forwarded-For: 198.51.100.66' -H 'x-envoy-external-address: 198.51.100.66' http://$GATEWAY/");
    expect(forged.expect).toContain('x-envoy-external-address=198.51.100.66');
  });

  test('a refused connection says so instead of an answer', () => {
    const result = explain({
      hops: [{ kind: ExplainHopKind.L4, name: 'MetalLB', proxyProtocol: false, sourcePreservation: SourcePreservation.WITH_LOCAL }],
      gateway: { numTrustedProxies: 0, proxyProtocol: true, externalTrafficPolicy: ExternalTrafficPolicy.LOCAL },
    });
    expect(tryItSteps(result)[0].expect).toEqual([expect.stringMatching(/^\(no answer: the gateway expects a PROXY header/)]);
  });

  test('the in-mesh request shows the caller with TPROXY and 127.0.0.6 with REDIRECT, and no X-Forwarded-For', () => {
    const result = explain({ hops: [], gateway: { numTrustedProxies: 0, proxyProtocol: false } });
    const tproxy = tryItSteps(result, { eastWest: { namespace: 'demo', interceptionMode: InterceptionMode.TPROXY } })[2];
    const redirect = tryItSteps(result, { eastWest: { namespace: 'demo', client: 'curl', service: 'api' } })[2];
    expect(tproxy.command).toBe('kubectl exec -n demo deploy/sleep -- curl -s http://echo-server.demo/');
    expect(tproxy.expect).toEqual(['client_address=<the sleep pod IP>', '(no x-forwarded-for)', '(no x-envoy-external-address)']);
    expect(redirect.command).toBe('kubectl exec -n demo deploy/curl -- curl -s http://api.demo/');
    expect(redirect.expect[0]).toBe('client_address=127.0.0.6');
  });

  test('renders each step as a command block and the lines to look for', () => {
    const result = explain({ hops: [], gateway: { numTrustedProxies: 0, proxyProtocol: false } });
    const markdown = renderTryIt(tryItSteps(result, { gatewayAddress: 'shop.example.com' })).join('\n');
    expect(markdown).toContain('```bash\ncurl -s http://shop.example.com/\n```');
    expect(markdown).toContain('The echo server prints:\n\n```text\nclient_address=');
  });
});
